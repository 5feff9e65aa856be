"""Tuning constants of the fingerprint engine, in one table.

MCC and LSS-R constants are the published ones: R. Cappelli, M. Ferrara, D. Maltoni,
"Minutia Cylinder-Code: a new representation and matching technique for fingerprint
recognition", IEEE TPAMI 32(12):2128-2141, 2010 (Table 1 and section 5). Distances are in pixels
at 500 dpi, angles in radians. Decision thresholds (scores, counts, areas) live in
``matching/thresholds.py``; these are the shape of the method, not decisions.
"""

from __future__ import annotations

import math

# --- cylinder (MCC16b) ---------------------------------------------------------------------
R = 70.0  # cylinder radius
NS = 16  # cells along each side of the cylinder base
ND = 6  # cells along the direction axis
DELTA_S = 2.0 * R / NS  # cell side
DELTA_D = 2.0 * math.pi / ND  # cell height (angle)
SIGMA_S = 28.0 / 3.0  # spatial Gaussian
SIGMA_D = 2.0 * math.pi / 9.0  # directional Gaussian
MU_PSI = 0.01  # bit threshold of the cell value (MCC16b: Psi is a step at MU_PSI)
TAU_PSI = 400.0  # slope of the sigmoid Psi in the real-valued form (not used by MCC16b)
OMEGA = 50.0  # convex hull of the minutiae enlarged by OMEGA
MIN_VC = 0.75  # a cylinder needs MIN_VC of its in-radius cells valid ...
MIN_M = 2  # ... and at least MIN_M other minutiae within R + 3 SIGMA_S

CELLS_2D = NS * NS
CELLS = CELLS_2D * ND
CODE_BYTES = CELLS // 8  # 192 bytes of cell bits per cylinder
MASK_BYTES = CELLS_2D // 8  # 32 bytes of validity (same for every direction layer)

# --- cylinder similarity --------------------------------------------------------------------
MIN_ME = 0.6  # matchable: cells valid in both >= MIN_ME of the in-radius cells
DELTA_THETA = math.pi / 2  # matchable: minutia directions differ by at most this

# --- global score: LSS-R --------------------------------------------------------------------
MIN_NP = 4
MAX_NP = 12
MU_P = 20.0
TAU_P = 2.0 / 5.0
N_REL = 5  # relaxation iterations
W_R = 0.5  # weight of a pair's own previous similarity
MU_RHO_1, TAU_RHO_1 = 5.0, -8.0 / 5.0  # distance consistency
MU_RHO_2, TAU_RHO_2 = math.pi / 12, -30.0  # direction-difference consistency
MU_RHO_3, TAU_RHO_3 = math.pi / 12, -30.0  # radial-angle consistency

# --- search codes and the finger index (codes.py, index.py, ivf.py) --------------------------
# 256-bit codes of a finger's 24 best cylinders, probes voting with 64: top-20 recall 96.9% on
# FVC probes in a 10k gallery, against 87% / 95% for 64- / 128-bit codes of 40 cylinders
# (python -m bench.fingers_search --root ../shared/data/fingerprints --out var/bench-out/s.json).
# Changing CODE_BITS or MAX_INDEXED_CYLINDERS means rebuilding every finger index.
CODE_BITS = 256  # bits of a cylinder's search code (sign random projection of its cells)
MAX_INDEXED_CYLINDERS = 24  # cylinders per finger in the index (best LEADER quality first)
PROBE_CYLINDERS = 64  # a probe searches with more cylinders than a finger stores
NEIGHBOURS_PER_CYLINDER = 64  # stored codes fetched per probe cylinder
VOTE_RADIUS = 104  # codes farther than this (of CODE_BITS) give no vote
VOTE_POWER = 1.0  # vote = ((VOTE_RADIUS - distance) / VOTE_RADIUS) ** VOTE_POWER
IVF_TRAIN_CODES_PER_LIST = 40  # FAISS k-means wants at least 39 points a centroid

# --- segmentation (segmentation.py, slaps.py) -----------------------------------------------
# Hand-set on the FVC2002 DB1-4_B and FVC2004 DB2_B images (every one keeps 42,700+ px² of
# ridge area, see finger.min_ridge_area); shapes of the method, not error-rate fits.
SEGMENT_CLIP_PERCENTILES = (1.0, 99.0)  # grey levels mapped to 0 and 1 before the gradient
SEGMENT_SMOOTH_SIGMA = 7.0  # pixels at 500 dpi (~1.5 ridge periods)
SEGMENT_MAG_THRESHOLD = 0.18  # on the gradient magnitude of the [0,1]-normalised image
SEGMENT_MORPH_SIZE = 15  # opening/closing kernel, pixels
SLAP_MIN_GAP_PX = 4  # background columns that separate two fingers of a slap (500 dpi)
SLAP_MARGIN_PX = 16  # pixels kept around a slap segment's ridge area
SLAP_SIZE_MULTIPLE = 64  # a segment is padded to this multiple a side (few LEADER sizes)

# --- extraction -----------------------------------------------------------------------------
MIN_DPI, MAX_DPI = 250, 1000  # accepted scan resolutions (quality gate 'bad_resolution')
MIN_SIDE, MAX_SIDE = 150, 1024  # sides in pixels at 500 dpi (7.6 mm .. 52 mm): too_small/large
LEADER_SIZE_MULTIPLE = 32  # LEADER's encoder/decoder needs H and W multiples of 32
BASE_DPI = 500  # every coordinate in a template is at this resolution
MAX_MINUTIAE = 100  # keep the best MAX_MINUTIAE detections by LEADER quality
# LEADER's activations take about 2.5 GB per million input pixels on CPU: a packet is one call
# up to this many padded pixels (ten 500-dpi plain fingers of ~400 x 400), else split in order.
LEADER_BATCH_PIXELS = 1_700_000
# On a GPU (the ``cuda`` backend) a call takes this many padded pixels: ~64 fingers of 500 x 500.
LEADER_GPU_BATCH_PIXELS = 16_000_000
# OpenVINO compiles once per input shape (~1.5 s): keep this many compiled shapes.
LEADER_COMPILED_SIZES = 16
LEADER_MAX_THREADS = 8  # threads of one inference when HAWIYA_ONNX_THREADS is unset

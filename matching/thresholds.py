"""Every decision threshold and tuning constant of the matchers, in one table.

Each row says which way the score goes, the error rate it was calibrated for, and the data it was
calibrated on (with the command that reproduces the calibration). Change a value only together
with its calibration note.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Threshold:
    name: str
    value: float
    direction: str  # "higher is more similar" / "lower is more similar" / "size" / "count"
    calibrated_for: str
    data: str


_ROWS: list[Threshold] = [
    # --- face (owned by matching/face) -------------------------------------------------------
    Threshold(
        name="face.min_face_px",
        value=60.0,
        direction="size",
        calibrated_for="quality gate: smaller side of the HOG face box, in pixels of the submitted "
        "image; below it a face is 'face_too_small'. Policy, not an error-rate fit: dlib's HOG "
        "window is 80 px at 1x, so 60-80 px faces are only found after one 2x upsample.",
        data="LFW folds 1-5, 3,811 images of 250x250: boxes 72-149 px (1st percentile 86, "
        "median 103), none below the gate (.venv/bin/python -m bench.face_eval, face_box_px)",
    ),
    Threshold(
        name="face.detect_max_side",
        value=1024.0,
        direction="size",
        calibrated_for="cost bound, not an error-rate fit: face detection runs on a copy whose "
        "longer side is at most this many pixels (the box is scaled back and the face encoded "
        "from the full image). At 1024 a face of the 60 px gate in a 4096-px photo is 15 px on "
        "the copy: enrollment photos are framed on the face, so this only bounds the work an "
        "oversized upload can cause (a blank 4096 x 4096 PNG: 20 s before, see bench.attack_mix)",
        data="LFW folds 1-5 (250x250) are below it: EER unchanged (bench.face_eval)",
    ),
    Threshold(
        name="face.upsample_max_pixels",
        value=500_000.0,
        direction="size",
        calibrated_for="cost bound: the 2x-upsampled second HOG pass (faces of 40-80 px) only "
        "on detection copies of at most this many pixels (a 600 x 800 ID photo is 480k); a "
        "larger image with no face found at 1x is no_face at once",
        data="LFW folds 1-5, 250x250: every image may still be upsampled (bench.face_eval)",
    ),
    Threshold(
        name="face.match_distance",
        value=0.547,
        direction="lower is more similar (L2 distance of dlib encodings)",
        calibrated_for="1:1 face verification at FAR 1e-3 (TAR 90.3%); at FAR 1e-4 the distance "
        "is 0.476 (TAR 66.7%); EER 1.14% at 0.626. 1:N decisions use fusion.* instead",
        data="LFW folds 1-5, all pairs of 3,811 images (4,414 genuine, 7,255,541 impostor), "
        "dlib_resnet_v1/1 (.venv/bin/python -m bench.face_eval)",
    ),
    Threshold(
        name="face.identical_distance",
        value=0.15,
        direction="lower is more similar (L2 distance of dlib encodings)",
        calibrated_for="the same capture sent again: the exact image is 0.0; re-encoded "
        "(JPEG 95/75/50, 5% downscale) median 0.073, p99 0.19, max 0.21 (144); different photos "
        "of one person min 0.285 (36 LFW genuine pairs); no impostor pair of LFW's 7.2M is "
        "below 0.35, so a flagged pair is the same person whatever the capture",
        data="LFW folds 1-5, 40 genuine pairs (.venv/bin/python -m bench.identical_calibrate "
        "--faces 40 --fingers 10; bench/out/identical_calibration.json)",
    ),
    Threshold(
        name="face.index.approx_min_size",
        value=50_000.0,
        direction="count",
        calibrated_for="gallery size from which face search scans a 4-bit PQ copy and re-ranks "
        "its best candidates exactly: the exact scan, single thread, is 0.19 ms at 20k faces "
        "(in cache) but 11-23 ms at 100k, where the compressed scan is 0.4-1.2 ms and loses no "
        "mate; in between, the exact scan leaves the CPU cache near 50k x 512 B",
        data="synthetic dlib-like gallery fitted on LFW encodings, 2,000 mated probes "
        "(.venv/bin/python -m bench.search_bench --persons 100000 --probes 2000)",
    ),
    Threshold(
        name="face.index.pq_m",
        value=64.0,
        direction="count",
        calibrated_for="PQ sub-quantizers of the compressed scan (4 bits each: 32 bytes a face, "
        "2 dimensions per sub-quantizer, the finest fast-scan split of 128-d)",
        data="as face.index.refine_factor",
    ),
    Threshold(
        name="face.index.refine_factor",
        value=20.0,
        direction="count",
        calibrated_for="compressed candidates re-ranked exactly = k x this: at 1M faces, k=50, "
        "it kept all 3,926 mates that exact search ranks in its top 50 (refine 10 missed 1, "
        "refine 2 missed 3 of 982; rank-1 mates all kept), median 7.5-11.2 ms vs 56-85 ms for "
        "the exact scan in the same runs",
        data="synthetic dlib-like gallery of 1M persons, two runs: 1,000 and 3,000 mated probes "
        "(.venv/bin/python -m bench.search_bench --persons 1000000 --probes 3000 --refine 10 20)",
    ),
    Threshold(
        name="face.index.retrain_growth",
        value=4.0,
        direction="count",
        calibrated_for="retrain the PQ when the gallery is this many times the size it was "
        "trained on; a policy, not an error-rate fit",
        data="-",
    ),
    Threshold(
        name="face.index.train_sample",
        value=65_536.0,
        direction="count",
        calibrated_for="vectors (a seeded sample) the PQ is trained on: 16 centroids per "
        "sub-quantizer need a few thousand; more only costs training time",
        data="as face.index.refine_factor; a tuning, not an error-rate fit",
    ),
    Threshold(
        name="face.index.stale_share",
        value=0.1,
        direction="share",
        calibrated_for="removed or replaced faces left in the compressed copy (FAISS fast-scan "
        "codes do not survive remove_ids) before it is re-encoded: each widens every search's "
        "exact re-rank by its share; a policy, not an error-rate fit",
        data="-",
    ),
    Threshold(
        name="face.pairs.block",
        value=65_536.0,
        direction="count",
        calibrated_for="query faces per k-nearest search of the all-vs-all scan "
        "(matching/face_pairs): bounds FAISS's result buffers; a memory bound, not an "
        "error-rate fit",
        data="-",
    ),
    Threshold(
        name="face.pairs.max_distance",
        value=0.65,
        direction="lower is more similar (L2 distance of dlib encodings)",
        calibrated_for="a face's neighbours farther than this are not candidates of the "
        "all-vs-all import: 0.66% of genuine pairs lie beyond it (1.13% beyond the EER "
        "distance 0.626, 0.43% beyond 0.7); 2.3% of impostor pairs lie within it, which is why "
        "each face also keeps only its dedup.max_candidates nearest. Recall, not a decision: "
        "every pair is scored 1:1 and fused by the decision unit",
        data="LFW folds 1-5, all pairs of 3,811 images (4,414 genuine, 7,255,541 impostor), "
        "dlib_resnet_v1/1 (.venv/bin/python -m bench.face_pairs_bench --lfw)",
    ),
    # --- the FAISS gallery's durability (owned by identity/biometrics/gallery*.py) -------------
    Threshold(
        name="gallery.snapshot_every",
        value=500.0,
        direction="count",
        calibrated_for="gallery additions between automatic snapshots of the FAISS indexes: a "
        "restart re-reads from the database at most this many templates more than the snapshot "
        "holds; a policy, not an error-rate fit",
        data="-",
    ),
    Threshold(
        name="gallery.reconcile_chunk",
        value=1000.0,
        direction="count",
        calibrated_for="template rows read (and decrypted) per query while reconciling an index "
        "with the database on start: bounds memory; a policy, not an error-rate fit",
        data="-",
    ),
    # --- face liveness (owned by matching/liveness) ------------------------------------------
    Threshold(
        name="liveness.turn",
        value=0.30,
        direction="size (|yaw| in [-1, 1], matching.liveness.yaw; 0 frontal)",
        calibrated_for="a head turn counts when the nose passes this far toward a jaw end, on "
        "each side; |yaw| > 0.30 in 38% of LFW's (mostly frontal) news photos, so a turn asked "
        "for clears it. Photo attacks accepted: still 0/300, moved 0/300, tilted ±35° 0/300; "
        "bona fide pose sequences with a blink 17/19 (bench/liveness_eval.py)",
        data="LFW folds 1-5, 3,800 detected faces: yaw percentiles 5/50/95 = -0.54/0.00/0.54 "
        "(.venv/bin/python -m bench.liveness_eval)",
    ),
    Threshold(
        name="liveness.eye_closed",
        value=0.17,
        direction="lower is more closed (eye aspect ratio, both eyes averaged)",
        calibrated_for="a frame with the eyes shut; 5% of LFW photos fall below it (blinks and "
        "squints caught by news photographers)",
        data="as liveness.turn: eye aspect ratio percentiles 1/5/50 = 0.12/0.17/0.29",
    ),
    Threshold(
        name="liveness.eye_open",
        value=0.22,
        direction="higher is more open (eye aspect ratio, both eyes averaged)",
        calibrated_for="a frame with the eyes open, before and after the blink; 80% of LFW "
        "photos are above it",
        data="as liveness.turn",
    ),
    Threshold(
        name="liveness.same_face",
        value=0.60,
        direction="lower is more similar (L2 distance of dlib encodings)",
        calibrated_for="every frame of a challenge shows the same face as its first frame (the "
        "package's tolerance: at LFW's EER distance 0.626 a swap to another person is caught "
        "~99% of the time, and a live person's own frames stay well below it)",
        data="LFW folds 1-5 (face.match_distance's calibration)",
    ),
    Threshold(
        name="liveness.min_frames",
        value=4.0,
        direction="count",
        calibrated_for="frames with a detected face a challenge needs (frontal, two turns and a "
        "blink can be seen in four); a policy, not an error-rate fit",
        data="-",
    ),
    # --- fingerprint (owned by matching/fingerprint) -----------------------------------------
    Threshold(
        name="finger.match_score",
        value=0.044,
        direction="higher is more similar (LSS-R score in [0, 1], match when >=)",
        calibrated_for="FMR 0.01% (1e-4) on pooled non-mated pairs; FNMR there 4.4% pooled. "
        "Per set FMR1000/EER are in bench output (DB2_B 0%, DB1_B/DB3_B ~0.35%, FVC2004 2%)",
        data="FVC2002 DB1-4_B + FVC2004 DB2_B (1400 genuine, 14400 non-mated pairs), "
        "extractor hawiya-leader-mcc16b 1.0; reproduce: python -m bench.fingers_eval "
        "--all ../shared/data/fingerprints --out var/bench-out/fingers_all.json",
    ),
    Threshold(
        name="finger.identical_score",
        value=0.8,
        direction="higher is more similar (LSS-R score in [0, 1])",
        calibrated_for="the same finger image sent again: the same bytes score 0.997; a PNG "
        "round trip or a 2% downscale median 0.95 (200, min 0.42); two impressions of one "
        "finger p99 0.68, max 0.73 (150 genuine pairs); impostors stay below 0.05 (FMR 1e-4 "
        "at finger.match_score)",
        data="FVC2002 DB1-4_B + FVC2004 DB2_B, 10 fingers x 4 impressions a set "
        "(.venv/bin/python -m bench.identical_calibrate --faces 40 --fingers 10)",
    ),
    Threshold(
        name="finger.match_score_fmr1000",
        value=0.031,
        direction="higher is more similar (LSS-R score in [0, 1], match when >=)",
        calibrated_for="FMR 0.1% on pooled non-mated pairs; FNMR there 2.3% pooled",
        data="as finger.match_score",
    ),
    Threshold(
        name="finger.leader_quality",
        value=0.2,
        direction="higher is more reliable (LEADER detection confidence)",
        calibrated_for="lowest pooled EER with no failure to enrol (swept 0.05-0.55; pyfing-like "
        "0.55 gave FTE 4/80 on DB3_B and EER 4.3% on FVC2004 DB2_B instead of 2.1%)",
        data="as finger.match_score",
    ),
    Threshold(
        name="finger.min_minutiae",
        value=10,
        direction="count (fewer reliable minutiae = quality failure 'too_few_minutiae')",
        calibrated_for="no FVC B image falls below it at leader_quality 0.2 (lowest 11, "
        "median 39); templates of a handful of minutiae match everything (FMR explodes)",
        data="as finger.match_score",
    ),
    Threshold(
        name="finger.min_cylinders",
        value=8,
        direction="count (fewer valid MCC cylinders = quality failure 'too_few_minutiae')",
        calibrated_for="policy guard with the same purpose as finger.min_minutiae",
        data="as finger.match_score",
    ),
    Threshold(
        name="finger.min_ridge_area",
        value=25000,
        direction="size (px^2 of foreground at 500 dpi, about 65 mm^2)",
        calibrated_for="quality gate 'low_ridge_area'; policy: every FVC B image has 42,700+",
        data="FVC2002 DB1-4_B + FVC2004 DB2_B, matching/fingerprint/segmentation.py",
    ),
    # --- the identity decision (owned by matching/posterior) ----------------------------------
    Threshold("posterior.issue_max", 1e-3, "probability (issue only below it)",
              "a new ID is issued only when P(the packet is someone on file) < 1e-3: at most "
              "one issued ID in a thousand is expected to be a duplicate, given the stated "
              "re-enrollment rates; a policy bound, the order of magnitude issue 14 asks for",
              "matching/posterior.py; effect measured by hawiya eval integrity (FNIR and "
              "review share per packet kind, bench/out/identification_*.json)"),
    Threshold("posterior.match_min", 0.9999, "probability (match at or above it)",
              "a packet becomes an encounter of a person only when that person's posterior "
              "from the biometrics alone is >= 0.9999 (1 wrong match in 10,000 matches at "
              "calibrated LLRs); below it, and above the issue bound, an adjudicator decides",
              "as posterior.issue_max"),
    Threshold("posterior.reenrollment_rate", 0.02, "probability (prior)",
              "P(a packet with enough fingers to decide is someone already on file): honest "
              "re-enrollments and attempts at a second ID. A stated assumption (no registry "
              "figure exists yet); the per-station exception report and the review outcomes "
              "are where to measure it",
              "assumption; sensitivity in bench/out/identification_*.json"),
    Threshold("posterior.reenrollment_rate_weak", 0.2, "probability (prior)",
              "P(someone on file) for a packet with fewer than exception.min_fingers usable "
              "fingers: ten times the rate of full packets, because declaring fingers missing is "
              "what a second-ID attempt does. A stated assumption",
              "assumption; sensitivity in bench/out/identification_*.json"),
    Threshold("posterior.search_miss_rate", 1e-3, "probability",
              "P(the 1:N search does not return a mate that is on file): the mass of the "
              "records not returned. Full packets: 0 of 2,000 mates lost at 1M persons (95% "
              "bound 0.15%); partial packets: 2 of 500 at 2 fingers (bench/search_results.md); "
              "face-only at national scale is not measured and is why face-only packets are "
              "exceptions",
              "hawiya bench search --persons 1000000 --fingers --probes 2000"),
    Threshold("posterior.identical_llr", 60.0, "higher is more similar (LLR)",
              "the LLR given to a template near-identical to one on file (face.identical_"
              "distance, finger.identical_score): the same capture sent again, decisive "
              "beyond what the calibration tables can express (their caps: face 12.5, finger "
              "9.5)", "bench/identical_calibrate.py"),
    Threshold("exception.min_fingers", 4, "count",
              "usable fingers that can decide identity: at 46M persons and "
              "posterior.reenrollment_rate a match needs a biometric LLR of ~31 (ln(1e4 x "
              "46e6 x 49)), 4 fingers at the finger LLR cap (9.5 each) reach 38; an adult "
              "packet with fewer needs an exception (photo of the hands + a second operator)",
              "LLR tables of matching/fusion.py; matching/posterior.py"),
    Threshold("child.adult_age", 15, "years",
              "from this age a packet is an adult's (the exception rule applies, fingers are "
              "expected); fingers are re-captured at this age by a biometric update",
              "policy (issue 14: 5 and 15 are the usual ages)"),
    Threshold("child.finger_age", 5, "years",
              "from this age a child's fingers are captured (a biometric update of the ID "
              "issued at birth); below it a child is registered with a face photo or none",
              "policy (issue 14)"),
    Threshold("child.reregistration_rate", 0.02, "probability (prior)",
              "P(a birth registration is of a child whose parents already registered it): a "
              "stated assumption (a second ration entry is the motive); the candidates are the "
              "children on file of the same mother or father", "assumption"),
    Threshold("child.name_error", 0.01, "probability",
              "P(a child registered twice carries another given name after folding): the name "
              "is copied from the birth certificate", "assumption"),
    Threshold("child.twin_rate", 0.015, "probability",
              "P(two children of the same parents share a birth date): twin births, ~1.5% of "
              "births", "assumption (world twin birth rate ~1.2-1.6%)"),
    Threshold("child.certificate_mismatch", 0.02, "probability",
              "P(a child registered twice shows another birth-certificate number): a lost "
              "certificate re-issued, or a forged one. With it, same-sex twins (own names, own "
              "certificates, one birth date) are issued two IDs at P(re-registration) ~5e-4, "
              "under posterior.issue_max", "assumption"),
    # --- demographics as evidence (owned by matching/demographic) ------------------------------
    Threshold("demographic.name_error", 0.03, "probability",
              "P(one name field of a genuine re-enrollment disagrees after folding): clerks' "
              "errors and non-standard spellings that folding does not absorb",
              "bench/demographic_calibrate.py (generated variants, see its docstring)"),
    Threshold("demographic.name_default_share", 2e-4, "share",
              "share of a given name not in matching/data/iraqi_names.csv (the listed names "
              "cover the common ones; an unlisted name is rarer than the 55th male name)",
              "matching/data/iraqi_names.csv"),
    Threshold("demographic.surname_default_share", 1e-3, "share",
              "share of an unlisted family/tribal name (tribes are large: an unlisted surname "
              "is still shared by ~0.1%)", "matching/data/iraqi_names.csv"),
    Threshold("demographic.birth_year_share", 0.024, "share",
              "share of the population born in one year (~1.1M births a year, 46M people)",
              "2024 census totals; estimate"),
    Threshold("demographic.default_day_share", 0.1, "share",
              "share of a birth year recorded on 1 January or 1 July (birthday unknown at "
              "registration): an exact match on such a date says less", "estimate"),
    Threshold("demographic.date_exact", 0.85, "probability",
              "P(a genuine re-enrollment gives the same birth date)", "as demographic.name_error"),
    Threshold("demographic.date_same_year", 0.07, "probability",
              "P(same year, another day) for a genuine re-enrollment (day/month swapped, a "
              "default date)", "as demographic.name_error"),
    Threshold("demographic.date_adjacent_year", 0.05, "probability",
              "P(a year apart) for a genuine re-enrollment", "as demographic.name_error"),
    Threshold("demographic.place_error", 0.03, "probability",
              "P(another birthplace governorate) for a genuine re-enrollment",
              "as demographic.name_error"),
    Threshold("demographic.sex_error", 0.002, "probability",
              "P(another sex) for a genuine re-enrollment (a clerk's error)",
              "as demographic.name_error"),
    Threshold("demographic.family_max_llr", 12.0, "higher is more similar (LLR cap)",
              "cap of the family fields' LLR (father, grandfather, surname, mother, maternal "
              "grandfather, birthplace): together they say 'same family', which a sibling "
              "shares; uncapped, generated sibling pairs score a median of 26 (as strong as "
              "three fingers)", "bench/demographic_calibrate.py"),
    Threshold("demographic.max_llr", 25.0, "higher is more similar (LLR cap)",
              "cap of the whole demographic LLR (family capped + given name, birth date, sex): "
              "no typed record weighs more than this",
              "bench/demographic_calibrate.py"),
    # --- 1:1 verification (identity/verify) ---------------------------------------------------
    Threshold(
        name="verify.match_llr", value=11.51,  # ln 1e5
        direction="higher is more similar (summed natural-log likelihood ratio)",
        calibrated_for="FMR <= 1e-5 per 1:1 check (a calibrated LLR exceeds t for a non-mate "
        "with probability <= e^-t); NIST SP 800-63B asks FMR <= 1e-4, the extra decade covers "
        "the over-confidence of summing correlated fingers",
        data="LLR tables of matching/fusion.py (bench/fusion_calibrate.py)",
    ),
    Threshold(
        name="verify.review_llr", value=6.91,  # ln 1e3
        direction="higher is more similar (summed natural-log likelihood ratio)",
        calibrated_for="FMR <= 1e-3: below it the answer is no_match; between the two the "
        "agency is told to check by other means (band review, not a match)",
        data="LLR tables of matching/fusion.py (bench/fusion_calibrate.py)",
    ),
    # --- finger index layout (owned by matching/fingerprint/ivf.py) ---------------------------
    Threshold("finger.index.ivf_min_fingers", 10_000, "count",
              "fingers at one position from which that position's index stops scanning every "
              "code and becomes a binary IVF: the exact scan of a 16-code probe finger costs "
              "8.9 ms at 20k fingers (480k codes, one thread, measured), so ~4.5 ms here, ten "
              "positions ~22 ms on two threads; the IVF then visits a quarter of the lists "
              "(narrow) or all of them (wide) and gets cheaper relative to the scan as it grows",
              "FAISS IndexBinaryFlat timing on bench.fingers_synth codes; a policy, not an "
              "error-rate fit"),
    Threshold("finger.index.list_codes", 6_000, "count",
              "codes per IVF list (lists = nearest power of two of codes / this): 4,096 lists "
              "at 1M fingers a position, where the IVF was measured",
              "bench/fingers_search.py and bench/person_search_bench.py at 1M"),
    Threshold("finger.index.retrain_growth", 4, "count",
              "retrain the finger IVF when its largest position holds this many times the "
              "codes it was trained on; a policy, not an error-rate fit", "-"),
    Threshold("finger.index.nprobe", 48, "count",
              "IVF lists visited by a wide search (a packet with few fingers, or one finger): "
              "single-finger rank-1 96.9% / 94.3% / 90.3% at 10k / 100k / 1M fingers",
              "python -m bench.fingers_search (350 mated, 400 non-mated FVC searches)"),
    # --- dedup candidate search (owned by enrollment/dedup) ----------------------------------
    Threshold("dedup.face_k", 50, "count", "face neighbours taken from the face index per "
              "search; mates beyond rank 50 are left to the fingers", "tuning, no calibration"),
    Threshold("dedup.finger_k", 20, "count", "finger candidates per probe finger from the "
              "finger index (votes), before LSS-R re-scoring", "tuning, no calibration"),
    Threshold("dedup.narrow_min_fingers", 6, "count",
              "a packet with at least this many usable fingers searches narrowly "
              "(dedup.narrow_*: own position only); with fewer it searches wide "
              "(finger.index.nprobe, 64 probe cylinders, neighbouring positions too)",
              "partial packets at 1M persons: narrow with 8 and 6 fingers found 500 / 500 "
              "mates in 27 / 22 ms median; wide with 4 fingers proposed 500 / 500 (201 ms); "
              "narrow at 4 not measured, so wide below 6 (bench/search_results.md)"),
    Threshold("dedup.narrow_probe_cylinders", 16, "count",
              "probe cylinders per finger in a narrow search (a finger stores 24): at 1M "
              "persons 16 kept every mate as 24 did, 3-7 ms faster", "as dedup.narrow_nprobe"),
    Threshold("dedup.narrow_nprobe", 8, "count",
              "IVF lists (of 4,096 at 1M) visited per probe cylinder in a narrow search. One "
              "finger alone then often misses its mate, but a person "
              "is proposed by any of its fingers and the face: at 1M persons, face + 10 fingers, "
              "2,000 of 2,000 mated searches found (fingers alone too; 4 lists also found all, "
              "16 cost 46 ms), median 33 ms on 2 threads vs 3.7 s for the exhaustive scan",
              "synthetic 1M-person gallery with 50 chimeric FVC persons, 2,000 mated and 200 "
              "non-mated searches (hawiya bench search --persons 1000000 --fingers --probes "
              "2000; bench/search_results.md)"),
    # --- the shared gallery on Milvus (owned by identity/biometrics/milvus_store.py) ---------
    Threshold("milvus.finger.nlist", 1024, "count",
              "BIN_IVF_FLAT lists per sealed segment of a finger position's codes (a 512 MB "
              "segment holds ~10M codes; segments under 1,024 rows are scanned exactly): about "
              "the codes per list of finger.index.list_codes", "policy; see milvus.finger.*nprobe"),
    Threshold("milvus.finger.narrow_nprobe", 8, "count",
              "lists visited per probe code in a narrow search (the dedup.narrow_nprobe share "
              "of lists, 8/1024 instead of 8/4096: Milvus's lists are per segment)",
              "python -m bench.milvus_person_search (mates found vs the FAISS engine)"),
    Threshold("milvus.finger.nprobe", 48, "count",
              "lists visited per probe code in a wide search (finger.index.nprobe)",
              "as milvus.finger.narrow_nprobe"),
    Threshold("milvus.face.nlist", 1024, "count",
              "IVF_FLAT lists per sealed segment of faces (distances exact within a list)",
              "as milvus.face.nprobe"),
    Threshold("milvus.face.nprobe", 64, "count",
              "face lists visited per search (every mate FAISS's exhaustive scan finds, at the "
              "size measured)", "python -m bench.milvus_person_search"),
    Threshold("dedup.max_candidates", 10, "count", "persons re-scored 1:1 per search (by best "
              "index rank); the case shows at most this many", "tuning, no calibration"),
]

THRESHOLDS: dict[str, Threshold] = {row.name: row for row in _ROWS}


def value(name: str) -> float:
    """The value of threshold ``name`` (KeyError names the missing row)."""
    return THRESHOLDS[name].value

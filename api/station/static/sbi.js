// MOSIP Secure Biometric Interface from the browser: discovery (MOSIPDISC), device info
// (MOSIPDINFO) and registration capture (RCAPTURE) on http://127.0.0.1:4501-4600.
"use strict";

const SBI = (() => {
  const PORTS = Array.from({ length: 100 }, (_, i) => 4501 + i);
  const SUBTYPES = {
    1: "Right Thumb", 2: "Right IndexFinger", 3: "Right MiddleFinger", 4: "Right RingFinger",
    5: "Right LittleFinger", 6: "Left Thumb", 7: "Left IndexFinger", 8: "Left MiddleFinger",
    9: "Left RingFinger", 10: "Left LittleFinger",
  };
  const POSITIONS = Object.fromEntries(Object.entries(SUBTYPES).map(([p, s]) => [s, Number(p)]));
  const SLAPS = { 1: [7, 8, 9, 10], 2: [2, 3, 4, 5], 3: [1, 6] };
  const EMPTY_HASH = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";

  async function call(port, verb, path, body, timeoutMs) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs || 2000);
    try {
      const resp = await fetch(`http://127.0.0.1:${port}${path}`, {
        method: verb, body: JSON.stringify(body || {}), signal: ctl.signal,
        headers: { "Content-Type": "application/json" }, cache: "no-store",
      });
      return await resp.json();
    } finally {
      clearTimeout(timer);
    }
  }

  function b64urlToBytes(text) {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function jwsPayload(token) {
    const part = String(token).split(".")[1] || "";
    return JSON.parse(new TextDecoder().decode(b64urlToBytes(part)));
  }

  // Every SBI device answering on the loopback ports: [{port, deviceId, type, subType,
  // serial, status, subIds, specVersion}].
  async function discover(ports) {
    const found = [];
    const todo = [...(ports || PORTS)];
    async function worker() {
      while (todo.length) {
        const port = todo.shift();
        try {
          const list = await call(port, "MOSIPDISC", "/device", { type: "Biometric Device" }, 1500);
          for (const d of Array.isArray(list) ? list : []) {
            if (!d || !d.deviceId) continue;
            let digital = {};
            try { digital = JSON.parse(new TextDecoder().decode(b64urlToBytes(d.digitalId))); } catch (e) { /* unsigned id unreadable */ }
            found.push({ port, deviceId: d.deviceId, status: d.deviceStatus, serial: d.deviceCode,
              type: digital.type || "", subType: digital.deviceSubType || "",
              subIds: d.deviceSubId || [], specVersion: (d.specVersion || [])[0] || "0.9.5" });
          }
        } catch (e) { /* nothing on this port */ }
      }
    }
    await Promise.all(Array.from({ length: 20 }, worker));
    found.sort((a, b) => a.port - b.port || String(a.deviceId).localeCompare(String(b.deviceId)));
    return found;
  }

  function transactionId() {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return "hw-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // RCAPTURE: [{sample, subtype, entry (the SBI biometrics item, forwarded as is), payload,
  // bytes (Uint8Array of the image), quality, error}].
  async function capture(device, opts) {
    const bio = {
      type: device.type, count: opts.count || 1, bioSubType: opts.bioSubType || [],
      exception: opts.exception || [], requestedScore: 40, deviceId: device.deviceId,
      deviceSubId: String(opts.subId || 0), previousHash: opts.previousHash || EMPTY_HASH,
    };
    const request = {
      env: "Developer", purpose: "Registration", specVersion: device.specVersion,
      timeout: 10000, captureTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      transactionId: transactionId(), bio: [bio], customOpts: {},
    };
    const answer = await call(device.port, "RCAPTURE", "/capture", request, 15000);
    const out = [];
    for (const entry of (answer && answer.biometrics) || []) {
      const code = entry.error ? String(entry.error.errorCode) : "0";
      if (code !== "0" || !entry.data) {
        out.push({ error: code, info: entry.error ? entry.error.errorInfo : "", subtype: entry.bioSubType });
        continue;
      }
      const payload = jwsPayload(entry.data);
      const sample = payload.bioType === "Face" ? (opts.exceptionPhoto ? "exception" : "face")
        : `finger_${POSITIONS[payload.bioSubType]}`;
      out.push({ sample, subtype: payload.bioSubType, entry, payload,
        bytes: b64urlToBytes(payload.bioValue), quality: payload.qualityScore });
    }
    return out;
  }

  return { PORTS, SUBTYPES, POSITIONS, SLAPS, discover, capture, call };
})();

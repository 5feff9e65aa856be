/* Raqibni: file a complaint (after solving the server's proof-of-work challenge) and follow
   one by tracking number. Same-origin only; every value from the server goes in as text. */
"use strict";

const MESSAGES = {
  validation_error: "تحقق من الحقول: رقم الوكيل والوجبة والوصف مطلوبة، والمادة مطلوبة لشكوى عن مادة.",
  unknown_agent: "لا يوجد وكيل بهذا الرقم. تحقق من رقم إجازة الوكيل في البطاقة.",
  unknown_round: "لا توجد وجبة بهذا الرمز. تحقق منه في البطاقة (مثل 2026-11).",
  challenge_expired: "انتهت مهلة التحقق. أعد الإرسال.",
  challenge_invalid: "تعذّر التحقق. أعد تحميل الصفحة ثم أرسل.",
  challenge_unsolved: "تعذّر التحقق. أعد تحميل الصفحة ثم أرسل.",
  challenge_used: "أُرسلت هذه الشكوى من قبل. أعد تحميل الصفحة لإرسال شكوى جديدة.",
  rate_limited: "محاولات كثيرة من هذا العنوان. انتظر قليلاً ثم حاول.",
  file_too_large: "الصورة أكبر من المسموح.",
  request_too_large: "الصورة أكبر من المسموح.",
  unsupported_media_type: "الصورة يجب أن تكون JPEG أو PNG.",
  undecodable: "تعذّرت قراءة الصورة. اختر صورة أخرى.",
  truncated_image: "الصورة ناقصة. اختر صورة أخرى.",
  too_many_pixels: "أبعاد الصورة كبيرة جداً.",
  complaint_not_found: "لا توجد شكوى بهذا الرقم. تحقق منه وأعد المحاولة.",
};
const FALLBACK = "تعذّر الاتصال. حاول مرة أخرى.";

/* SHA-256 of a byte array, as eight 32-bit words (FIPS 180-4). */
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
const W = new Uint32Array(64);

function sha256(bytes) {
  const n = bytes.length;
  const buf = new Uint8Array(((n + 9 + 63) >> 6) << 6);
  buf.set(bytes);
  buf[n] = 0x80;
  const view = new DataView(buf.buffer);
  view.setUint32(buf.length - 4, n * 8);
  let h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a;
  let h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
  for (let off = 0; off < buf.length; off += 64) {
    for (let i = 0; i < 16; i++) W[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15], y = W[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
  }
  return [h0, h1, h2, h3, h4, h5, h6, h7];
}

function zeroBits(words) {
  let count = 0;
  for (const w of words) {
    if (w === 0) { count += 32; continue; }
    return count + Math.clz32(w);
  }
  return count;
}

/* Find n with SHA-256(challenge + ":" + n) starting with `bits` zero bits, in slices so the
   page stays responsive; `progress` gets the number of hashes tried. */
function solve(challenge, bits, progress) {
  const prefix = Array.from(challenge + ":", (ch) => ch.charCodeAt(0));
  return new Promise((resolve) => {
    let n = 0;
    function slice() {
      for (const end = n + 20000; n < end; n++) {
        const digits = String(n);
        const bytes = new Uint8Array(prefix.length + digits.length);
        bytes.set(prefix);
        for (let i = 0; i < digits.length; i++) bytes[prefix.length + i] = digits.charCodeAt(i);
        if (zeroBits(sha256(bytes)) >= bits) { resolve(String(n)); return; }
      }
      progress(n);
      setTimeout(slice, 0);
    }
    slice();
  });
}

function showError(box, code) {
  box.textContent = MESSAGES[code] || FALLBACK;
  box.hidden = false;
}

async function errorCode(resp) {
  try { return (await resp.json()).error.code; } catch (e) { return null; }
}

function setupFiling(form) {
  const status = document.getElementById("status");
  const error = document.getElementById("error");
  const send = document.getElementById("send");
  const text = document.getElementById("text");
  const photo = document.getElementById("photo");
  text.addEventListener("input", () => {
    document.getElementById("count").textContent = String(text.value.length);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const data = new FormData(form);
    const about = data.get("about");
    if (!String(data.get("agent_licence")).trim() || !String(data.get("round")).trim()
        || !String(data.get("text")).trim() || (about === "item" && !data.get("item"))) {
      showError(error, "validation_error");
      return;
    }
    const file = photo.files[0];
    if (file && file.size > Number(photo.dataset.max)) { showError(error, "file_too_large"); return; }
    if (!file) data.delete("photo");
    send.disabled = true;
    try {
      status.textContent = "جارٍ التحقق من أن المرسل ليس برنامجاً آلياً…";
      const got = await fetch("/raqibni/api/challenge", {credentials: "omit"});
      if (!got.ok) { showError(error, await errorCode(got)); return; }
      const task = await got.json();
      const solution = await solve(task.challenge, task.bits, (tried) => {
        status.textContent = "جارٍ التحقق… (" + tried.toLocaleString("ar-IQ") + ")";
      });
      data.set("challenge", task.challenge);
      data.set("solution", solution);
      status.textContent = "جارٍ الإرسال…";
      const resp = await fetch("/raqibni/api/complaints", {
        method: "POST", body: data, credentials: "omit", headers: {"X-Raqibni": "1"}});
      if (resp.status !== 201) { showError(error, await errorCode(resp)); return; }
      const filed = await resp.json();
      document.getElementById("tracking").textContent = filed.tracking_number;
      try { sessionStorage.setItem("raqibni-last", filed.tracking_number); } catch (e) { /* */ }
      form.hidden = true;
      document.getElementById("done").hidden = false;
    } catch (e) {
      showError(error, null);
    } finally {
      status.textContent = "";
      send.disabled = false;
    }
  });
}

function setText(id, value) {
  document.getElementById(id).textContent = value == null ? "—" : String(value);
}

function day(iso) {
  return iso ? iso.slice(0, 10) : "";
}

function render(c) {
  setText("r-number", c.tracking_number);
  setText("r-state", c.state_ar);
  setText("r-about", c.about_ar + (c.item_ar ? " — " + c.item_ar : ""));
  setText("r-agent", c.agent_licence);
  setText("r-round", c.round);
  setText("r-filed", day(c.filed_at));
  document.getElementById("r-answer-box").hidden = !c.answer;
  setText("r-answer", c.answer);
  const steps = document.getElementById("r-steps");
  steps.replaceChildren();
  for (const s of c.steps) {
    const li = document.createElement("li");
    const time = document.createElement("time");
    time.dateTime = s.at;
    time.textContent = day(s.at) + " ";
    li.append(time, document.createTextNode(s.state_ar));
    steps.append(li);
  }
  document.getElementById("result").hidden = false;
}

function setupTracking(form) {
  const error = document.getElementById("error");
  const input = document.getElementById("tracking_number");
  try { input.value = input.value || sessionStorage.getItem("raqibni-last") || ""; } catch (e) { /* */ }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    document.getElementById("result").hidden = true;
    const number = input.value.trim();
    if (!number) { showError(error, "complaint_not_found"); return; }
    try {
      const resp = await fetch("/raqibni/api/track", {
        method: "POST", credentials: "omit", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({tracking_number: number})});
      if (!resp.ok) { showError(error, await errorCode(resp)); return; }
      render(await resp.json());
    } catch (e) {
      showError(error, null);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const filing = document.getElementById("file");
  if (filing) setupFiling(filing);
  const tracking = document.getElementById("track");
  if (tracking) setupTracking(tracking);
});

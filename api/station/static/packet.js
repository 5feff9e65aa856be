// A packet at the desk: capture through SBI devices (or the webcam), live quality through
// POST /v1/quality, review, submission to POST /v1/enrollments, and the offline queue.
"use strict";

const FINGERS = {
  1: "إبهام اليد اليمنى", 2: "سبابة اليد اليمنى", 3: "وسطى اليد اليمنى", 4: "بنصر اليد اليمنى",
  5: "خنصر اليد اليمنى", 6: "إبهام اليد اليسرى", 7: "سبابة اليد اليسرى", 8: "وسطى اليد اليسرى",
  9: "بنصر اليد اليسرى", 10: "خنصر اليد اليسرى",
};
const REASONS = { amputated: "مبتورة", bandaged: "مضمّدة", unusable: "غير صالحة", not_captured: "لم تُلتقط" };
const SOURCES = { device: "جهاز SBI", webcam: "كاميرا الويب" };

function b64(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
function unb64(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
function mediaType(bytes) {
  return bytes[0] === 0xff && bytes[1] === 0xd8 ? "image/jpeg" : "image/png";
}
function captureId() {
  const rnd = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, "0")).join("");
  return `st-${Date.now().toString(36)}-${rnd}`;
}

const Packet = {
  current: null,
  devices: [],
  online: null,
  draining: false,

  fresh() {
    this.current = { capture_id: captureId(), demographics: null, samples: {}, missing: {},
      exceptionPhoto: null };
  },

  // ---- devices and capture ------------------------------------------------------------------
  async discover() {
    $("#devices").textContent = "جارٍ البحث…";
    this.devices = await SBI.discover();
    $("#devices").textContent = this.devices.length
      ? this.devices.map((d) => `${d.type === "Face" ? "كاميرا" : "ماسح بصمات"} ${d.serial} (${d.port}) — ${d.status === "Ready" ? "جاهز" : d.status}`).join("، ")
      : "لم يُعثر على أي جهاز";
    $("#devices").dataset.count = String(this.devices.length);
  },

  device(type) {
    const d = this.devices.find((x) => x.type === type);
    if (!d) throw new Error(type === "Face" ? "لا توجد كاميرا وجه: ابحث عن الأجهزة أو استعمل كاميرا الويب" : "لا يوجد ماسح بصمات: ابحث عن الأجهزة");
    return d;
  },

  // One capture at a time (a device answers "busy" to a second one): clicks queue up.
  capture(type, opts) {
    const run = (this.capturing || Promise.resolve()).then(() => this.captureNow(type, opts));
    this.capturing = run.catch(() => []);
    return run;
  },

  async captureNow(type, opts) {
    try {
      const results = await SBI.capture(this.device(type), opts);
      const got = [];
      for (const r of results) {
        if (r.error) { toast(`تعذّر الالتقاط (رمز الجهاز ${r.error}) ${r.info || ""}`); continue; }
        if (r.sample === "exception") {
          this.current.exceptionPhoto = { bytes: r.bytes, type: mediaType(r.bytes) };
          continue;
        }
        this.setSample(r.sample, { bytes: r.bytes, source: "device", entry: r.entry, quality: r.quality });
        got.push(r.sample);
      }
      if (got.length) this.checkQuality(got);  // the next capture need not wait for it
      return got;
    } catch (e) {
      toast(e.message || "تعذّر الاتصال بالجهاز");
      return [];
    }
  },

  setSample(name, sample) {
    const old = this.current.samples[name];
    if (old && old.url) URL.revokeObjectURL(old.url);
    sample.type = mediaType(sample.bytes);
    sample.url = URL.createObjectURL(new Blob([sample.bytes], { type: sample.type }));
    sample.check = null;
    this.current.samples[name] = sample;
    if (name.startsWith("finger_")) delete this.current.missing[name.slice(7)];
    this.renderTile(name);
  },

  exceptions(positions) {
    return positions.filter((p) => this.current.missing[p]).map((p) => SBI.SUBTYPES[p]);
  },

  captureSlap(subId) {
    const positions = SBI.SLAPS[subId];
    return this.capture("Finger", { subId, count: positions.length,
      bioSubType: positions.map((p) => SBI.SUBTYPES[p]), exception: this.exceptions(positions) });
  },

  recapture(pos) {
    const subId = Number(Object.keys(SBI.SLAPS).find((k) => SBI.SLAPS[k].includes(pos)));
    return this.capture("Finger", { subId, count: 1, bioSubType: [SBI.SUBTYPES[pos]] });
  },

  async captureException() {
    const missing = Object.keys(this.current.missing).map(Number);
    await this.capture("Face", { exceptionPhoto: true, exception: missing.map((p) => SBI.SUBTYPES[p]) });
    this.renderReview();
  },

  async webcam() {
    const video = $("#webcam-video");
    $("#webcam").hidden = false;
    try {
      await Webcam.start(video);
    } catch (e) {
      toast("تعذّر تشغيل كاميرا الويب");
      $("#webcam").hidden = true;
    }
  },

  async webcamChallenge() {
    const video = $("#webcam-video");
    $("#webcam-go").disabled = true;
    const frames = await Webcam.challenge(video, $("#webcam-prompt"));
    Webcam.stop(video);
    $("#webcam-go").disabled = false;
    $("#webcam").hidden = true;
    this.setSample("face", { bytes: frames[0], source: "webcam", frames: frames.map(b64) });
    await this.checkQuality(["face"]);
  },

  // ---- live quality (the enrollment gate, POST /v1/quality) ---------------------------------
  async checkQuality(names) {
    const form = new FormData();
    for (const name of names) {
      const s = this.current.samples[name];
      if (s) form.append(name, new Blob([s.bytes], { type: s.type }), `${name}.${s.type === "image/jpeg" ? "jpg" : "png"}`);
    }
    try {
      const resp = await api("/v1/quality", { method: "POST", body: form });
      if (!resp.ok) {
        const err = await errorOf(resp);
        for (const name of names) this.setCheck(name, { ok: false, reason: err.code });
        return;
      }
      for (const s of (await resp.json()).samples) this.setCheck(s.sample, s);
    } catch (e) {
      for (const name of names) this.setCheck(name, { ok: null, reason: "offline" });
    }
  },

  setCheck(name, check) {
    const s = this.current.samples[name];
    if (!s) return;
    s.check = check;
    this.renderTile(name);
  },

  markMissing(pos, reason) {
    const name = `finger_${pos}`;
    const s = this.current.samples[name];
    if (s && s.url) URL.revokeObjectURL(s.url);
    delete this.current.samples[name];
    if (reason) this.current.missing[pos] = reason; else delete this.current.missing[pos];
    this.renderTile(name);
  },

  // ---- rendering ----------------------------------------------------------------------------
  renderFingers() {
    const box = $("#fingers");
    box.textContent = "";
    for (let pos = 1; pos <= 10; pos++) {
      const tile = document.createElement("div");
      tile.className = "tile";
      tile.dataset.sample = `finger_${pos}`;
      tile.innerHTML = `<div class="tile-head"><b></b><span class="src"></span></div>
        <div class="img-box"><img alt="" hidden></div><div class="q"></div>
        <div class="tile-actions"><button type="button" class="recapture">إعادة الالتقاط</button>
        <select class="missing" aria-label="استثناء"><option value="">استثناء…</option></select></div>`;
      tile.querySelector("b").textContent = `${pos}. ${FINGERS[pos]}`;
      const sel = tile.querySelector("select");
      for (const [code, label] of Object.entries(REASONS)) sel.add(new Option(label, code));
      tile.querySelector(".recapture").addEventListener("click", () => this.recapture(pos));
      sel.addEventListener("change", () => this.markMissing(pos, sel.value));
      box.appendChild(tile);
    }
    for (const name of ["face", ...Object.keys(FINGERS).map((p) => `finger_${p}`)]) this.renderTile(name);
  },

  renderTile(name) {
    const tile = document.querySelector(`.tile[data-sample="${name}"]`);
    if (!tile) return;
    const s = this.current.samples[name];
    const img = tile.querySelector("img");
    const q = tile.querySelector(".q");
    tile.classList.remove("ok", "bad", "missing");
    if (name === "face") $("#face-capture").textContent = s ? "إعادة الالتقاط" : "التقاط من كاميرا الجهاز";
    img.hidden = !s;
    if (s) img.src = s.url; else img.removeAttribute("src");
    tile.querySelector(".src").textContent = s ? SOURCES[s.source] : "";
    const pos = name.startsWith("finger_") ? name.slice(7) : null;
    const sel = tile.querySelector("select.missing");
    if (sel) sel.value = (pos && this.current.missing[pos]) || "";
    if (pos && this.current.missing[pos]) {
      tile.classList.add("missing");
      q.textContent = `مستثنى: ${REASONS[this.current.missing[pos]]}`;
      return;
    }
    if (!s) { q.textContent = "لم يُلتقط"; return; }
    const score = s.quality !== undefined && s.quality !== null ? `جودة الجهاز ${Math.round(s.quality)} — ` : "";
    if (!s.check) q.textContent = `${score}جارٍ الفحص…`;
    else if (s.check.ok === true) { tile.classList.add("ok"); q.textContent = `${score}✓ مقبولة`; }
    else if (s.check.ok === null) q.textContent = `${score}لم تُفحص (لا اتصال بالخادم)`;
    else { tile.classList.add("bad"); q.textContent = `${score}✗ ${text(s.check.reason, s.check.message)}`; }
  },

  usableFingers() {
    return Object.keys(this.current.samples).filter((n) => n.startsWith("finger_")).length;
  },

  exceptionNeeded() {
    const d = this.current.demographics;
    return Boolean(d && age(d.birth_date) >= App.config.adult_age && this.usableFingers() < App.config.min_fingers);
  },

  blockers() {
    const out = [];
    for (const [name, s] of Object.entries(this.current.samples)) {
      if (s.check && s.check.ok === false) out.push(name === "face" ? "الوجه" : FINGERS[name.slice(7)]);
    }
    return out;
  },

  renderReview() {
    const d = this.current.demographics;
    const dl = $("#review-demo");
    dl.textContent = "";
    if (d) {
      const rows = [["الاسم الرباعي", `${d.given_name} ${d.father_name} ${d.grandfather_name} ${d.surname}`],
        ["الأم", `${d.mother_name} ${d.maternal_grandfather_name}`], ["الجنس", d.sex === "M" ? "ذكر" : "أنثى"],
        ["تاريخ الولادة", d.birth_date], [d.birth_country ? "بلد الولادة" : "محل الولادة", placeLabel(d)],
        ["رقم الالتقاط", this.current.capture_id]];
      for (const [k, v] of rows) {
        dl.appendChild(Object.assign(document.createElement("dt"), { textContent: k }));
        dl.appendChild(Object.assign(document.createElement("dd"), { textContent: v }));
      }
    }
    const ul = $("#review-samples");
    ul.textContent = "";
    const face = this.current.samples.face;
    const items = [`الوجه: ${face ? SOURCES[face.source] : "لم يُلتقط"}`,
      `البصمات الملتقطة: ${this.usableFingers()} من 10`];
    const missing = Object.entries(this.current.missing).map(([p, r]) => `${FINGERS[p]} (${REASONS[r]})`);
    if (missing.length) items.push(`المستثناة: ${missing.join("، ")}`);
    const blockers = this.blockers();
    if (blockers.length) items.push(`عينات لم تجتز الفحص: ${blockers.join("، ")} — أعد الالتقاط أو سجّل استثناءً`);
    for (const t of items) ul.appendChild(Object.assign(document.createElement("li"), { textContent: t }));
    $("#exception-box").hidden = !this.exceptionNeeded();
    $("#usable-count").textContent = String(this.usableFingers());
    const photo = this.current.exceptionPhoto;
    const img = $("#exception-img");
    img.hidden = !photo;
    if (photo) img.src = URL.createObjectURL(new Blob([photo.bytes], { type: photo.type }));
    $("#submit").disabled = blockers.length > 0 || !face && this.usableFingers() === 0;
  },

  // ---- submission ---------------------------------------------------------------------------
  async build() {
    const c = this.current;
    const fields = { capture_id: c.capture_id, demographics: JSON.stringify(c.demographics) };
    const missing = {};
    for (let p = 1; p <= 10; p++) {
      if (!c.samples[`finger_${p}`]) missing[p] = c.missing[p] || "not_captured";
    }
    if (Object.keys(missing).length) fields.missing_fingers = JSON.stringify(missing);
    const files = [];
    const captures = {};
    for (const [name, s] of Object.entries(c.samples)) {
      files.push({ name, filename: `${name}.${s.type === "image/jpeg" ? "jpg" : "png"}`, type: s.type, b64: b64(s.bytes) });
      captures[name] = s.source === "webcam" ? { source: "webcam", frames: s.frames } : { source: "device", biometric: s.entry };
    }
    files.push({ name: "captures", filename: "captures.json", type: "application/json",
      b64: b64(new TextEncoder().encode(JSON.stringify(captures))) });
    if (this.exceptionNeeded()) {
      if (c.exceptionPhoto) files.push({ name: "exception_photo", filename: "hands.jpg", type: c.exceptionPhoto.type, b64: b64(c.exceptionPhoto.bytes) });
      const approver = $("#approver-key").value.trim();
      if (approver) fields.approver_key = approver;
    }
    const label = `${c.demographics.given_name} ${c.demographics.father_name} ${c.demographics.surname}`;
    return { capture_id: c.capture_id, label, fields, files };
  },

  // Sends one packet; {sent: true, status, body} | {sent: false} (network down or server busy).
  async send(packet) {
    const form = new FormData();
    for (const [k, v] of Object.entries(packet.fields)) form.append(k, v);
    for (const f of packet.files) form.append(f.name, new Blob([unb64(f.b64)], { type: f.type }), f.filename);
    let resp;
    try {
      resp = await api("/v1/enrollments", { method: "POST", body: form });
    } catch (e) {
      return { sent: false };
    }
    if ([502, 503, 504].includes(resp.status)) return { sent: false };
    const body = resp.ok ? await resp.json() : { error: await errorOf(resp) };
    return { sent: true, status: resp.status, ok: resp.ok, body };
  },

  async submit() {
    $("#submit-error").hidden = true;
    $("#submit").disabled = true;
    try {
      const packet = await this.build();
      const pending = (await Queue.all()).some((r) => r.state === "pending");
      const answer = pending ? { sent: false } : await this.send(packet);
      if (!answer.sent) {
        await Queue.add(packet);
        this.showQueued(packet);
        await this.refreshCount();
        return;
      }
      if (!answer.ok) {
        const err = answer.body.error;
        const steps = { turn_left: "الالتفات يساراً", turn_right: "الالتفات يميناً", blink: "الرمش",
          face: "الوجه", same_face: "الوجه نفسه في كل الإطارات" };
        const missing = err.details && Array.isArray(err.details.missing)
          ? ` (لم يُرَ: ${err.details.missing.map((m) => steps[m] || m).join("، ")})` : "";
        $("#submit-error").textContent = text(err.code, err.message) + missing;
        $("#submit-error").hidden = false;
        return;
      }
      this.showResult(answer.body);
    } finally {
      $("#submit").disabled = false;
    }
  },

  showResult(body) {
    $("#result").dataset.status = body.status;
    $("#result-title").textContent = STATUS[body.status] || body.status;
    const nid = body.national_id || "";
    $("#result-nid").textContent = nid ? nid.replace(/(\d{4})(?=\d)/g, "$1 ") : "—";
    $("#result-note").textContent = body.status === "review"
      ? `رقم القضية ${body.case_id}: يُبلّغ الشخص بعد قرار المراجع` : `رقم الالتقاط ${this.current.capture_id}`;
    showStep("result");
  },

  showQueued(packet) {
    $("#result").dataset.status = "queued";
    $("#result-title").textContent = "لا اتصال بالخادم: حُفظ الطلب في قائمة الانتظار";
    $("#result-nid").textContent = "—";
    $("#result-note").textContent = `رقم الالتقاط ${packet.capture_id} — يُرسل تلقائياً عند عودة الاتصال`;
    showStep("result");
  },

  // ---- the offline queue --------------------------------------------------------------------
  async drain() {
    if (this.draining) return;
    this.draining = true;
    try {
      for (const rec of await Queue.all()) {
        if (rec.state !== "pending" || !rec.packet) continue;
        const answer = await this.send(rec.packet);
        if (!answer.sent) break;  // still offline: keep the order, try again later
        await Queue.settle(rec.id, answer.ok ? "sent" : "failed", rec.packet, answer.ok
          ? answer.body : { error: answer.body.error });
      }
    } finally {
      this.draining = false;
      await this.refreshCount();
      if (!$("#step-queue").hidden) await this.renderQueue();
    }
  },

  async refreshCount() {
    const rows = await Queue.all();
    $("#queue-count").textContent = String(rows.filter((r) => r.state === "pending").length);
  },

  async renderQueue() {
    const body = $("#queue-rows");
    const rows = await Queue.all();
    body.textContent = "";
    const states = { pending: "بانتظار الإرسال", sent: "أُرسل", failed: "رُفض", locked: "مشفّر بمفتاح آخر" };
    for (const r of rows) {
      const tr = document.createElement("tr");
      tr.dataset.state = r.state;
      const result = r.result ? (r.result.error ? text(r.result.error.code, r.result.error.message)
        : `${STATUS[r.result.status] || r.result.status} ${r.result.national_id || ""}`) : "";
      for (const v of [r.id, r.packet ? r.packet.capture_id : "", r.packet ? r.packet.label : "", states[r.state], result]) {
        tr.appendChild(Object.assign(document.createElement("td"), { textContent: v }));
      }
      body.appendChild(tr);
    }
  },

  async poll() {
    let up = false;
    try {
      up = (await fetch("/readyz", { cache: "no-store" })).ok;
    } catch (e) { up = false; }
    this.online = up;
    $("#net-state").textContent = up ? "متصل" : "غير متصل";
    $("#net-state").classList.toggle("off", !up);
    if (up) await this.drain();
  },

  // ---- wiring -------------------------------------------------------------------------------
  start() {
    this.fresh();
    this.renderFingers();
    this.refreshCount();
    this.poll();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.poll(), 3000);
  },

  bind() {
    $("#discover").addEventListener("click", () => this.discover());
    $$(".slap").forEach((b) => b.addEventListener("click", () => this.captureSlap(Number(b.dataset.slap))));
    $("#face-capture").addEventListener("click", () => this.capture("Face", {}));
    $("#webcam-start").addEventListener("click", () => this.webcam());
    $("#webcam-go").addEventListener("click", () => this.webcamChallenge());
    $("#to-review").addEventListener("click", () => showStep("review"));
    $("#exception-capture").addEventListener("click", () => this.captureException());
    $("#exception-file").addEventListener("change", async (ev) => {
      const file = ev.target.files[0];
      if (!file) return;
      const bytes = new Uint8Array(await file.arrayBuffer());
      this.current.exceptionPhoto = { bytes, type: mediaType(bytes) };
      this.renderReview();
    });
    $("#submit").addEventListener("click", () => this.submit());
    $("#queue-send").addEventListener("click", () => this.poll());
    $("#next-person").addEventListener("click", () => {
      this.fresh();
      $("#demo-form").reset();
      $("#approver-key").value = "";
      $("#gov-box").hidden = false;
      $("#country-box").hidden = true;
      this.renderFingers();
      this.renderTile("face");
      showStep("form");
    });
    window.addEventListener("online", () => this.poll());
  },
};

// The enrollment station: sign-in, the demographic form, navigation, the Arabic texts.
// Capture, review, submission and the offline queue are in packet.js.
"use strict";

const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => Array.from(document.querySelectorAll(sel));

const TEXT = {
  // quality gate reasons (identity.biometrics.probes / matching)
  no_face: "لم يُعثر على وجه في الصورة",
  multiple_faces: "في الصورة أكثر من وجه",
  face_too_small: "الوجه صغير جداً في الصورة",
  too_few_minutiae: "تفاصيل البصمة غير كافية، ضع الإصبع جيداً على الماسح",
  low_ridge_area: "مساحة البصمة الظاهرة صغيرة",
  too_small: "الصورة صغيرة جداً",
  too_large: "الصورة كبيرة جداً",
  bad_resolution: "دقة الصورة غير مناسبة",
  undecodable: "تعذّر قراءة الصورة",
  invalid_image: "تعذّر قراءة الصورة",
  truncated_image: "الصورة ناقصة",
  unsupported_media_type: "نوع الملف غير مقبول",
  // enrollment and capture-trust refusals
  invalid_demographics: "بيانات الشخص غير صحيحة",
  invalid_missing_fingers: "بيان الأصابع المفقودة غير صحيح",
  quality_failed: "عينة لم تجتز فحص الجودة",
  no_biometrics: "لا توجد بصمات ولا صورة وجه",
  exception_required: "يلزم استثناء معتمد: صورة لليدين ومفتاح مشغّل ثانٍ",
  approver_invalid: "مفتاح المشغّل الثاني غير صالح: يلزم مفتاح آخر غير ملغى لهذه المحطة",
  device_unregistered: "الجهاز الذي التقط العينة غير مسجّل لدى هوية",
  device_revoked: "الجهاز الذي التقط العينة ملغى",
  invalid_signature: "توقيع الجهاز على الالتقاط غير صحيح",
  invalid_capture: "بيانات الالتقاط غير صحيحة",
  invalid_captures: "بيانات الالتقاط غير صحيحة",
  capture_replayed: "هذا الالتقاط استُخدم من قبل في طلب آخر",
  capture_stale: "وقت الالتقاط خارج المدة المقبولة",
  capture_mismatch: "الصورة المرسلة لا تطابق ما وقّعه الجهاز",
  capture_unattested: "عينة بلا توقيع جهاز ولا تحقق من الحيوية",
  capture_id_conflict: "رقم الالتقاط مستخدم لطلب مختلف",
  liveness_failed: "لم يكتمل التحقق من الحيوية: أعد المحاولة واتبع التعليمات",
  liveness_required: "يلزم التحقق من الحيوية لصورة كاميرا الويب",
  face_not_in_frames: "صورة الوجه ليست من إطارات التحقق من الحيوية",
  too_many_frames: "إطارات كثيرة",
  invalid_frame: "إطار لا يمكن قراءته",
  not_ready: "الخادم يستعد، أعد المحاولة بعد قليل",
  invalid_key: "المفتاح غير صالح",
  missing_key: "المفتاح غير صالح",
  wrong_role: "هذا ليس مفتاح محطة",
  file_too_large: "الملف كبير جداً",
  rate_limited: "طلبات كثيرة، انتظر قليلاً",
};
const STATUS = {
  issued: "صدرت هوية وطنية جديدة",
  matched: "الشخص مسجّل مسبقاً",
  review: "أُحيل الطلب إلى المراجعة",
  fraud: "أُحيل الطلب: اشتباه احتيال",
};

const App = {
  key: sessionStorage.getItem("hawiya-station-key") || "",
  config: null,
  namePattern: null,
};

function text(code, fallback) {
  return TEXT[code] || fallback || `رُفض الطلب (${code})`;
}

function toast(message) {
  const t = $("#toast");
  t.textContent = message;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 5000);
}

async function api(path, options) {
  const headers = { Authorization: `Bearer ${App.key}`, ...((options && options.headers) || {}) };
  return fetch(path, { ...options, headers, cache: "no-store" });
}

async function errorOf(resp) {
  try {
    const body = await resp.json();
    return (body && body.error) || { code: `http_${resp.status}` };
  } catch (e) {
    return { code: `http_${resp.status}` };
  }
}

function showStep(step) {
  for (const s of ["form", "capture", "review", "result", "queue"]) {
    $(`#step-${s}`).hidden = s !== step;
  }
  $$(".step").forEach((b) => b.classList.toggle("active", b.dataset.step === step));
  if (step === "review") Packet.renderReview();
  if (step === "queue") Packet.renderQueue();
}

// ---- sign-in --------------------------------------------------------------------------------
async function signIn(key) {
  App.key = key;
  const resp = await api("/v1/station/config");
  if (!resp.ok) {
    const err = await errorOf(resp);
    App.key = "";
    sessionStorage.removeItem("hawiya-station-key");
    throw new Error(text(err.code));
  }
  App.config = await resp.json();
  App.namePattern = new RegExp(`^[${App.config.name_pattern}]+$`, "u");
  sessionStorage.setItem("hawiya-station-key", key);
  await Queue.open(key, App.config.station);
  fillPlaces();
  $("#signin").hidden = true;
  $("#app").hidden = false;
  $("#bar-info").hidden = false;
  $("#station-name").textContent = App.config.station;
  showStep("form");
  Packet.start();
}

function fillPlaces() {
  const gov = $("#birthplace");
  gov.length = 1;
  for (const g of App.config.governorates) gov.add(new Option(`${g.ar} — ${g.en}`, g.code));
  const country = $("#birth_country");
  country.length = 1;
  const sorted = [...App.config.countries].sort((a, b) => a.ar.localeCompare(b.ar, "ar"));
  for (const c of sorted) country.add(new Option(`${c.ar} — ${c.en}`, c.code));
}

// ---- the demographic form, checked as the clerk types ---------------------------------------
const NAMES = ["given_name", "father_name", "grandfather_name", "surname", "mother_name",
  "maternal_grandfather_name"];

function setHint(input, message) {
  const hint = input.closest(".field").querySelector(".hint");
  hint.textContent = message || "";
  input.setAttribute("aria-invalid", message ? "true" : "false");
  input.closest(".field").classList.toggle("bad", Boolean(message));
}

function checkName(input) {
  const value = input.value.normalize("NFC").trim().replace(/\s+/g, " ");
  if (!value) return setHint(input, input.dataset.touched ? "مطلوب" : ""), false;
  if (!App.namePattern.test(value)) {
    setHint(input, "يُكتب الاسم بالحروف العربية فقط (تُقبل الحروف الكردية)");
    return false;
  }
  setHint(input, "");
  return true;
}

function age(birth) {
  const b = new Date(`${birth}T00:00:00`);
  const now = new Date();
  let years = now.getFullYear() - b.getFullYear();
  if (now < new Date(now.getFullYear(), b.getMonth(), b.getDate())) years -= 1;
  return years;
}

function readForm() {
  let ok = true;
  const demo = {};
  for (const name of NAMES) {
    const input = $(`#${name}`);
    input.dataset.touched = "1";
    ok = checkName(input) && ok;
    demo[name] = input.value.normalize("NFC").trim().replace(/\s+/g, " ");
  }
  const sex = $("#sex");
  setHint(sex, sex.value ? "" : "اختر الجنس");
  ok = Boolean(sex.value) && ok;
  demo.sex = sex.value;
  const birth = $("#birth_date");
  const bad = !birth.value || new Date(birth.value) > new Date() || birth.value < "1890-01-01";
  setHint(birth, bad ? "تاريخ ولادة غير صحيح" : "");
  ok = !bad && ok;
  demo.birth_date = birth.value;
  const abroad = $("#born_abroad").checked;
  const place = abroad ? $("#birth_country") : $("#birthplace");
  setHint(place, place.value ? "" : (abroad ? "اختر بلد الولادة" : "اختر المحافظة"));
  ok = Boolean(place.value) && ok;
  if (abroad) demo.birth_country = place.value; else demo.birthplace = place.value;
  return ok ? demo : null;
}

function placeLabel(demo) {
  const list = demo.birth_country ? App.config.countries : App.config.governorates;
  const code = demo.birth_country || demo.birthplace;
  const found = list.find((p) => p.code === code);
  return found ? `${found.ar} (${code})` : code;
}

function init() {
  $("#signin-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("#signin-error").hidden = true;
    try {
      await signIn($("#station-key").value.trim());
    } catch (e) {
      $("#signin-error").textContent = e.message;
      $("#signin-error").hidden = false;
    }
  });
  $("#sign-out").addEventListener("click", () => {
    sessionStorage.removeItem("hawiya-station-key");
    location.reload();
  });
  for (const name of NAMES) {
    const input = $(`#${name}`);
    input.addEventListener("input", () => checkName(input));
    input.addEventListener("blur", () => { input.dataset.touched = "1"; checkName(input); });
  }
  $("#born_abroad").addEventListener("change", (ev) => {
    $("#gov-box").hidden = ev.target.checked;
    $("#country-box").hidden = !ev.target.checked;
  });
  $("#demo-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const demo = readForm();
    if (demo) {
      Packet.current.demographics = demo;
      showStep("capture");
    }
  });
  $$(".step").forEach((b) => b.addEventListener("click", () => {
    if (b.dataset.step !== "form" && b.dataset.step !== "queue" && !readForm()) {
      showStep("form");
      return;
    }
    if (b.dataset.step !== "form" && b.dataset.step !== "queue") {
      Packet.current.demographics = readForm();
    }
    showStep(b.dataset.step);
  }));
  $("#queue-open").addEventListener("click", () => showStep("queue"));
  Packet.bind();
  if (App.key) signIn(App.key).catch(() => { $("#signin").hidden = false; });
}

document.addEventListener("DOMContentLoaded", init);

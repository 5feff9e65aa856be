// The offline queue: packets that could not be sent, kept in IndexedDB, each record encrypted
// (AES-GCM) with a key derived (PBKDF2) from the station's key, so the queue survives closing
// the browser and is readable only after the station signs in again.
"use strict";

const Queue = (() => {
  const DB = "hawiya-station";
  let db = null;
  let key = null;

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => {
        const d = req.result;
        d.createObjectStore("meta");
        d.createObjectStore("packets", { keyPath: "id", autoIncrement: true });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function store(name, mode) {
    return db.transaction(name, mode).objectStore(name);
  }

  async function deriveKey(secret, station) {
    let salt = await request(store("meta", "readonly").get(`salt:${station}`));
    if (!salt) {
      salt = crypto.getRandomValues(new Uint8Array(16));
      await request(store("meta", "readwrite").put(salt, `salt:${station}`));
    }
    const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret),
      "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 210000 },
      material, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  }

  async function open(secret, station) {
    db = db || await openDb();
    key = await deriveKey(secret, station);
    station_ = station;
  }
  let station_ = "";

  async function seal(obj) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = new TextEncoder().encode(JSON.stringify(obj));
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv,
      additionalData: new TextEncoder().encode(station_) }, key, data);
    return { iv, ct };
  }

  async function unseal(rec) {
    const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: rec.iv,
      additionalData: new TextEncoder().encode(station_) }, key, rec.ct);
    return JSON.parse(new TextDecoder().decode(pt));
  }

  // A packet: {capture_id, label, fields: {name: string}, files: [{name, filename, type, b64}]}.
  async function add(packet) {
    const sealed = await seal({ packet, result: null });
    return request(store("packets", "readwrite").add({ station: station_, state: "pending",
      created: Date.now(), ...sealed }));
  }

  async function all() {
    const rows = await request(store("packets", "readonly").getAll());
    const out = [];
    for (const rec of rows.filter((r) => r.station === station_).sort((a, b) => a.id - b.id)) {
      try {
        const body = await unseal(rec);
        out.push({ id: rec.id, state: rec.state, created: rec.created, ...body });
      } catch (e) {
        out.push({ id: rec.id, state: "locked", created: rec.created, packet: null, result: null });
      }
    }
    return out;
  }

  async function settle(id, state, packet, result) {
    const sealed = await seal({ packet: state === "sent" ? { capture_id: packet.capture_id,
      label: packet.label } : packet, result });
    const rec = await request(store("packets", "readonly").get(id));
    await request(store("packets", "readwrite").put({ ...rec, state, ...sealed }));
  }

  return { open, add, all, settle };
})();

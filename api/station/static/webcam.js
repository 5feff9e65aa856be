// The webcam path (offices without a face device): getUserMedia, then the active liveness
// challenge — look, turn left, turn right, blink — recorded as a short sequence of JPEG frames
// the server checks (matching.liveness). The face sent is the first (frontal) frame.
"use strict";

const Webcam = (() => {
  let stream = null;
  const STEPS = [
    ["انظر إلى الكاميرا", 2],
    ["أدر رأسك إلى اليسار", 3],
    ["أدر رأسك إلى اليمين", 3],
    ["أغمض عينيك ثم افتحهما", 4],
  ];
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function start(video) {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
    video.srcObject = stream;
    await video.play();
  }

  function stop(video) {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    if (video) video.srcObject = null;
  }

  function grab(video) {
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth || 640;
    canvas.height = video.videoHeight || 480;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
  }

  // At most 12 frames, ~2 a second, while the prompts ask for each step.
  async function challenge(video, prompt) {
    const frames = [];
    for (const [text, count] of STEPS) {
      prompt.textContent = text;
      for (let i = 0; i < count; i++) {
        await sleep(500);
        frames.push(new Uint8Array(await (await grab(video)).arrayBuffer()));
      }
    }
    prompt.textContent = "تم";
    return frames;
  }

  return { start, stop, challenge };
})();

// LMUFormer keyword spotting page: microphone or audio file -> 16 kHz mono float32 -> WebSocket.
//
// Protocol (ws[s]://<host>/v1/stream, plus ?token=… when this page's URL has a token):
//   page -> server  text   {"sample_rate":16000,"encoding":"f32le","scores":true}   first
//                   binary little-endian float32 samples, one message per chunk
//                   text   {"type":"end"}                                           last
//   server -> page  {"type":"ready",...} {"type":"scores",...} {"type":"keyword",...}
//                   {"type":"error","message":…} (the server then closes) {"type":"end"}
//
// Query parameters of this page:
//   ?autostart=1  start listening on load (the headless tests; a real browser may keep the
//                 audio suspended until a click)
//   ?capture=1    capture only: the microphone is captured and resampled as usual but no
//                 socket is opened (tests of the capture path against a static file server)
//   ?token=…      passed on to the WebSocket URL
//
// Test hook, window.lmuformer:
//   state        microphone: "idle" | "starting" | "listening" | "stopping" | "error"
//   connection   latest socket: "closed" | "connecting" | "open"
//   file         file upload: "idle" | "decoding" | "sending" | "waiting" | "done" | "error"
//   ready        the server's ready message (or null)
//   capture      the worklet's info message: {inputRate, outputRate, taps, cutoff, exact}
//   events       every keyword message received, oldest first (mic and files)
//   errors       error texts shown, oldest first
//   scoresSeen   number of scores messages received
//   captured     16 kHz samples sent (mic and files; in capture mode: mic samples captured)
//   lastChunks   the last 2 s of those samples, a plain array (built when read)
//   start(), stop(), sendFile(blobOrArrayBuffer, name) -> Promise
(() => {
  "use strict";

  const RATE = 16000;
  const MIC_CHUNK = 320; // 20 ms
  const FILE_CHUNK = 800; // 50 ms
  const KEEP = 2 * RATE;
  const HELLO = JSON.stringify({ sample_rate: RATE, encoding: "f32le", scores: true });
  const END = JSON.stringify({ type: "end" });
  const params = new URLSearchParams(location.search);
  const CAPTURE_ONLY = params.get("capture") === "1";
  const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $("status"),
    listen: $("listen"),
    bars: $("bars"),
    keywords: $("keywords"),
    error: $("error"),
    file: $("file"),
    fileStatus: $("file-status"),
  };

  // ---- the last 2 s sent, in a ring -------------------------------------------------------
  const ring = new Float32Array(KEEP);
  let ringEnd = 0;
  let ringFill = 0;
  function remember(samples) {
    for (let i = 0; i < samples.length; i++) {
      ring[ringEnd] = samples[i];
      ringEnd = (ringEnd + 1) % KEEP;
    }
    ringFill = Math.min(KEEP, ringFill + samples.length);
  }
  function lastSamples() {
    const out = new Array(ringFill);
    const start = (ringEnd - ringFill + KEEP) % KEEP;
    for (let i = 0; i < ringFill; i++) out[i] = ring[(start + i) % KEEP];
    return out;
  }

  const hook = {
    state: "idle",
    connection: "closed",
    file: "idle",
    ready: null,
    capture: null,
    events: [],
    errors: [],
    scoresSeen: 0,
    captured: 0,
    get lastChunks() {
      return lastSamples();
    },
    start: () => start(),
    stop: () => stop(),
    sendFile: (data, name) => sendFile(data, name),
  };
  window.lmuformer = hook;

  // ---- display ----------------------------------------------------------------------------
  function setStatus(text, kind = "info") {
    ui.status.textContent = text;
    ui.status.dataset.kind = kind;
  }

  function showError(message) {
    hook.errors.push(message);
    ui.error.textContent = message;
    ui.error.hidden = false;
    setStatus("Error", "error");
  }

  function clearError() {
    ui.error.textContent = "";
    ui.error.hidden = true;
  }

  function setState(state) {
    hook.state = state;
    document.body.dataset.state = state;
    const active = state === "listening" || state === "starting" || state === "stopping";
    ui.listen.textContent = active ? "Stop" : "Listen";
    ui.listen.setAttribute("aria-pressed", String(active));
    ui.listen.disabled = state === "starting" || state === "stopping";
  }

  function renderBars(top) {
    const rows = document.createDocumentFragment();
    for (const { word, score } of top) {
      const value = Math.max(0, Math.min(1, Number(score) || 0));
      const row = document.createElement("div");
      row.className = "bar-row";
      row.dataset.word = word;
      const label = document.createElement("span");
      label.className = "bar-word";
      label.textContent = word;
      const track = document.createElement("div");
      track.className = "bar-track";
      track.setAttribute("role", "meter");
      track.setAttribute("aria-label", word);
      track.setAttribute("aria-valuemin", "0");
      track.setAttribute("aria-valuemax", "1");
      track.setAttribute("aria-valuenow", value.toFixed(2));
      const fill = document.createElement("div");
      fill.className = "bar-fill";
      fill.style.width = `${(value * 100).toFixed(1)}%`;
      track.append(fill);
      const number = document.createElement("span");
      number.className = "bar-score";
      number.textContent = twoDecimals(value);
      row.append(label, track, number);
      rows.append(row);
    }
    ui.bars.replaceChildren(rows);
  }

  /** 0.725 -> "0.73" (toFixed alone gives "0.72": 0.725 is a hair below in binary). */
  function twoDecimals(v) {
    return (Math.round(Number(v) * 100) / 100).toFixed(2);
  }

  function addKeyword(msg, source, name) {
    const li = document.createElement("li");
    li.dataset.word = msg.word;
    li.dataset.time = String(msg.time);
    li.dataset.source = source;
    if (name) {
      li.dataset.file = name;
      li.title = `from ${name}`;
    }
    li.textContent = `${msg.word} — ${twoDecimals(msg.score)} at ${twoDecimals(msg.time)} s`;
    ui.keywords.prepend(li);
  }

  // ---- one WebSocket stream ---------------------------------------------------------------
  function streamUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const token = params.get("token");
    const query = token ? `?token=${encodeURIComponent(token)}` : "";
    return `${scheme}//${location.host}/v1/stream${query}`;
  }

  function toLittleEndian(samples) {
    if (LITTLE_ENDIAN) return samples;
    const view = new DataView(new ArrayBuffer(samples.length * 4));
    samples.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return view.buffer;
  }

  class Session {
    /** @param source "mic" or "file"; onLost() runs when the stream ends without the server's end. */
    constructor(source, name, onLost) {
      this.source = source;
      this.name = name;
      this.onLost = onLost;
      this.queue = [];
      this.finished = false; // the server sent end
      this.reported = false; // an error about this stream is on screen
      this.wasOpen = false;
      this.abandoned = false; // closed by us after waiting in vain for the end
      this.url = streamUrl();
      this.done = new Promise((resolve) => (this.resolveDone = resolve));
      this.opened = new Promise((resolve) => (this.resolveOpened = resolve));
      const ws = new WebSocket(this.url);
      ws.binaryType = "arraybuffer";
      this.ws = ws;
      hook.connection = "connecting";
      setStatus(`Connecting to ${this.url.split("?")[0]}…`);
      ws.onopen = () => {
        hook.connection = "open";
        this.wasOpen = true;
        ws.send(HELLO);
        for (const item of this.queue) ws.send(item);
        this.queue = [];
        this.resolveOpened(true);
      };
      ws.onmessage = (e) => this.receive(e.data);
      ws.onclose = (e) => this.closed(e);
    }

    send(data) {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
      else if (this.ws.readyState === WebSocket.CONNECTING) this.queue.push(data);
    }

    sendSamples(samples) {
      if (this.ws.readyState > WebSocket.OPEN) return false;
      this.send(toLittleEndian(samples));
      return true;
    }

    receive(text) {
      if (typeof text !== "string") return;
      let msg;
      try {
        msg = JSON.parse(text);
      } catch {
        return;
      }
      switch (msg.type) {
        case "ready": {
          hook.ready = msg;
          const words = Array.isArray(msg.words) ? msg.words.length : "?";
          const doing = this.source === "mic" ? "Listening" : `Sending ${this.name}`;
          setStatus(`${doing} — connected to ${msg.model || "the model"} (${words} words)`, "ok");
          break;
        }
        case "scores":
          hook.scoresSeen++;
          if (Array.isArray(msg.top)) renderBars(msg.top);
          break;
        case "keyword":
          hook.events.push(msg);
          addKeyword(msg, this.source, this.name);
          break;
        case "error":
          this.reported = true;
          showError(`Server: ${msg.message}`);
          break;
        case "end":
          this.finished = true;
          this.ws.close(1000, "done");
          this.resolveDone(true);
          break;
      }
    }

    closed(e) {
      hook.connection = "closed";
      this.resolveOpened(false);
      if (!this.finished && !this.reported && !this.abandoned) {
        this.reported = true;
        const why = e.reason ? `, ${e.reason}` : "";
        const where = this.url.split("?")[0];
        showError(
          this.wasOpen
            ? `Connection to ${where} closed before the end (code ${e.code}${why})`
            : `Could not connect to ${where} (code ${e.code}${why})`
        );
      }
      const lost = !this.finished;
      this.resolveDone(!lost);
      if (lost && this.onLost) this.onLost();
    }

    /** Sends end and waits (at most timeoutMs) for the server's end; true when it came. */
    async finish(timeoutMs = 10000) {
      if (this.ws.readyState <= WebSocket.OPEN) this.send(END);
      const timer = new Promise((resolve) => setTimeout(() => resolve(false), timeoutMs));
      const ok = await Promise.race([this.done, timer]);
      if (!ok && this.ws.readyState <= WebSocket.OPEN) {
        this.abandoned = true;
        if (!this.reported) {
          this.reported = true;
          showError(`No end from the server within ${timeoutMs / 1000} s`);
        }
        this.ws.close(1000, "no end from server");
      }
      return ok;
    }

    /** Resolves once the socket can take more without buffering much. */
    async drain(limitBytes = 256 * 1024) {
      while (this.ws.readyState === WebSocket.OPEN && this.ws.bufferedAmount > limitBytes) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  // ---- microphone -------------------------------------------------------------------------
  let mic = null; // {ctx, stream, node, session, flushed}

  function deliver(samples) {
    hook.captured += samples.length;
    remember(samples);
  }

  async function start() {
    if (hook.state !== "idle" && hook.state !== "error") return;
    clearError();
    setState("starting");
    setStatus("Starting the microphone…");
    const m = { ctx: null, stream: null, node: null, session: null, flushed: null };
    mic = m;
    try {
      if (!navigator.mediaDevices || !window.AudioWorkletNode) {
        throw new Error("this browser (or an insecure http page) offers no microphone capture");
      }
      m.ctx = new AudioContext(); // created in the click, so it may start running
      if (m.ctx.state === "suspended") m.ctx.resume(); // autostart without a click: may wait
      const streamPromise = navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
      await m.ctx.audioWorklet.addModule("capture-worklet.js");
      m.stream = await streamPromise;
      if (mic !== m) throw new Error("stopped");
      m.node = new AudioWorkletNode(m.ctx, "lmuformer-capture", {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        processorOptions: { chunkSamples: MIC_CHUNK },
      });
      if (!CAPTURE_ONLY) m.session = new Session("mic", null, () => micLost(m));
      m.node.port.onmessage = (e) => {
        const data = e.data;
        if (data.type === "chunk") {
          if (CAPTURE_ONLY) deliver(data.samples);
          else if (m.session && m.session.sendSamples(data.samples)) deliver(data.samples);
        } else if (data.type === "info") {
          hook.capture = data;
        } else if (data.type === "flushed" && m.flushed) {
          m.flushed();
        }
      };
      // The node has to reach the destination to be pulled; the gain of 0 keeps it silent.
      const silent = m.ctx.createGain();
      silent.gain.value = 0;
      m.ctx.createMediaStreamSource(m.stream).connect(m.node).connect(silent).connect(m.ctx.destination);
      setState("listening");
      if (CAPTURE_ONLY) setStatus(`Capturing at ${m.ctx.sampleRate} Hz → 16 kHz (no connection)`, "ok");
      setTimeout(() => {
        if (mic !== m || m.ctx.state !== "suspended") return;
        // Autostart without a click: browsers hold the audio until the user interacts.
        setStatus("The browser holds the audio until you click the page", "error");
        document.addEventListener("click", () => m.ctx.state === "suspended" && m.ctx.resume(), { once: true });
      }, 1000);
    } catch (err) {
      release(m);
      if (mic === m) mic = null;
      if (err.message !== "stopped") {
        showError(`Microphone: ${err.message || err.name || err}`);
        setState("error");
      }
    }
  }

  function release(m) {
    if (m.node) {
      m.node.port.postMessage({ type: "stop" });
      m.node.disconnect();
    }
    if (m.stream) m.stream.getTracks().forEach((t) => t.stop());
    if (m.ctx && m.ctx.state !== "closed") m.ctx.close();
  }

  async function stop() {
    const m = mic;
    if (!m || hook.state !== "listening") return;
    setState("stopping");
    setStatus("Stopping…");
    // The worklet hands over its partial chunk before the end message goes out.
    await Promise.race([
      new Promise((resolve) => {
        m.flushed = resolve;
        m.node.port.postMessage({ type: "flush" });
      }),
      new Promise((resolve) => setTimeout(resolve, 500)),
    ]);
    mic = null;
    release(m);
    const ended = m.session ? await m.session.finish() : true;
    setState("idle");
    if (ended) setStatus("Stopped — press Listen or drop an audio file");
  }

  function micLost(m) {
    if (mic !== m) return; // stopped on purpose
    mic = null;
    release(m);
    setState("error");
  }

  // ---- audio files ------------------------------------------------------------------------
  async function sendFile(data, name = data && data.name ? data.name : "audio") {
    clearError();
    let session = null;
    try {
      hook.file = "decoding";
      ui.fileStatus.textContent = `Decoding ${name}…`;
      const bytes = data instanceof ArrayBuffer ? data.slice(0) : await data.arrayBuffer();
      // decodeAudioData resamples to its context's rate (the browser's own sinc resampler);
      // rendering through a one-channel context then mixes the channels down to mono.
      const decoded = await new OfflineAudioContext(1, 1, RATE).decodeAudioData(bytes);
      const render = new OfflineAudioContext(1, decoded.length, RATE);
      const source = render.createBufferSource();
      source.buffer = decoded;
      source.connect(render.destination);
      source.start();
      const mono = (await render.startRendering()).getChannelData(0);

      hook.file = "sending";
      const seconds = (mono.length / RATE).toFixed(2);
      ui.fileStatus.textContent = `Sending ${name} (${seconds} s)…`;
      session = new Session("file", name, null);
      if (!(await session.opened)) throw new Error("no connection");
      for (let i = 0; i < mono.length; i += FILE_CHUNK) {
        await session.drain();
        const chunk = mono.slice(i, Math.min(mono.length, i + FILE_CHUNK));
        if (!session.sendSamples(chunk)) throw new Error("connection lost");
        deliver(chunk);
      }
      hook.file = "waiting";
      ui.fileStatus.textContent = `Sent ${name} (${seconds} s), waiting for the last results…`;
      if (!(await session.finish())) throw new Error("the server did not finish the stream");
      hook.file = "done";
      ui.fileStatus.textContent = `Done: ${name} (${seconds} s).`;
      return { samples: mono.length };
    } catch (err) {
      hook.file = "error";
      ui.fileStatus.textContent = `Could not send ${name}.`;
      if (!session || !session.reported) showError(`File ${name}: ${err.message || err}`);
      throw err;
    }
  }

  function sendChosen(file) {
    if (file) sendFile(file, file.name).catch(() => {});
  }

  // ---- wiring -----------------------------------------------------------------------------
  ui.listen.addEventListener("click", () => (hook.state === "listening" ? stop() : start()));
  ui.file.addEventListener("change", () => {
    sendChosen(ui.file.files[0]);
    ui.file.value = "";
  });
  document.addEventListener("dragover", (e) => {
    e.preventDefault();
    document.body.classList.add("dragging");
  });
  document.addEventListener("dragleave", (e) => {
    if (e.target === document.documentElement || e.relatedTarget === null) {
      document.body.classList.remove("dragging");
    }
  });
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    document.body.classList.remove("dragging");
    sendChosen(e.dataTransfer && e.dataTransfer.files[0]);
  });

  setState("idle");
  setStatus(CAPTURE_ONLY ? "Capture only: no server connection" : "Idle — press Listen or drop an audio file");
  if (params.get("autostart") === "1") start();
})();

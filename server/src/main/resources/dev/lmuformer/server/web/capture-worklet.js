// AudioWorklet processor "lmuformer-capture": mixes the microphone to mono and resamples it to
// 16 kHz in the page, posting Float32Array chunks to the main thread.
//
// The resampler is a band-limited (windowed-sinc) interpolator, the classic design of
// J. O. Smith's "Digital Audio Resampling":
//   y(t) = sum_k x[k] * h(t - k),  t = n * inRate / 16000  (t in input samples)
//   h(tau) = (2 fc / inRate) * sinc(2 fc tau / inRate) * kaiser(tau / H)
// - cutoff fc = 7.5 kHz (the -6 dB point), transition band 7-8 kHz, so everything that could
//   fold back below the new 8 kHz Nyquist frequency is in the stop band;
// - Kaiser window, beta = 7.86, designed for 80 dB of stop-band attenuation (over 90 dB
//   measured from 8.5 kHz up); its length follows from Kaiser's formula for a 1 kHz
//   transition: 2H = 242 taps at 48 kHz (H = 121, i.e. 2.5 ms of look-ahead delay), 222 taps
//   at 44.1 kHz; the pass band is flat to 0.01 dB up to 7 kHz;
// - the kernel is tabulated per phase. When inRate/16000 reduces to a fraction M/L with at
//   most 512 phases (48 kHz: L = 1, i.e. plain FIR decimation by 3; 44.1 kHz: L = 160) each
//   output uses one exact phase row; otherwise a 256-phase table is interpolated linearly
//   between neighbouring rows (error far below the stop band). The position is kept as an
//   integer plus a fraction num/L, so it never drifts.
// - every phase row is normalised to unit sum (exact DC gain 1).
//
// Messages to the processor:   {type: "flush"} -> posts what is pending, then {type: "flushed"}
//                              {type: "stop"}  -> ends processing
// Messages from the processor: {type: "info", inputRate, outputRate, taps, cutoff, exact}
//                              {type: "chunk", samples: Float32Array}   (transferred)
//                              {type: "flushed"}

const OUTPUT_RATE = 16000;

function besselI0(x) {
  // Power series of the modified Bessel function of the first kind, order 0.
  const q = (x * x) / 4;
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 100; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-15) break;
  }
  return sum;
}

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

class SincResampler {
  constructor(inRate, outRate, { transition = 1000, attenuationDb = 80 } = {}) {
    inRate = Math.round(inRate);
    const g = gcd(inRate, outRate);
    this.M = inRate / g; // input samples ...
    this.L = outRate / g; // ... per this many outputs
    const nyquist = Math.min(inRate, outRate) / 2;
    const width = Math.min(transition, nyquist / 2);
    this.cutoff = nyquist - width / 2;
    const beta = 0.1102 * (attenuationDb - 8.7);
    // Kaiser's length estimate, in input samples; H taps on each side of the output time.
    const length = (attenuationDb - 8) / (2.285 * 2 * Math.PI * (width / inRate));
    const H = Math.ceil(length / 2);
    this.H = H;
    this.taps = 2 * H;

    this.exact = this.L <= 512;
    this.phases = this.exact ? this.L : 256;
    const rows = this.exact ? this.L : this.phases + 1;
    const fc = this.cutoff / inRate; // cycles per input sample
    const i0beta = besselI0(beta);
    const table = new Float32Array(rows * this.taps);
    for (let p = 0; p < rows; p++) {
      const frac = p / this.phases;
      let sum = 0;
      const row = new Float64Array(this.taps);
      for (let j = 0; j < this.taps; j++) {
        const tau = frac - (j - H + 1); // output time minus tap position, in input samples
        const r = tau / H;
        if (Math.abs(r) >= 1) continue;
        const arg = 2 * Math.PI * fc * tau;
        const sinc = tau === 0 ? 2 * fc : Math.sin(arg) / (Math.PI * tau);
        row[j] = sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / i0beta);
        sum += row[j];
      }
      for (let j = 0; j < this.taps; j++) table[p * this.taps + j] = row[j] / sum;
    }
    this.table = table;

    // History: H - 1 zeros before the first sample, so the first output sits at input 0.
    this.buf = new Float32Array(4096 + this.taps);
    this.len = H - 1;
    this.pos = H - 1; // integer part of the next output time (an index into buf)
    this.num = 0; // fractional part, num / L
  }

  /** Appends input samples, calls emit(y) for every output that is now computable. */
  push(samples, emit) {
    if (this.len + samples.length > this.buf.length) {
      const bigger = new Float32Array(2 * (this.len + samples.length));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    this.buf.set(samples, this.len);
    this.len += samples.length;

    const { buf, table, taps, H, M, L } = this;
    while (this.pos + H < this.len) {
      const base = this.pos - H + 1;
      let y;
      if (this.exact) {
        y = dot(buf, base, table, this.num * taps, taps);
      } else {
        const x = (this.num / L) * this.phases;
        const p = Math.floor(x);
        const a = x - p;
        y = dot(buf, base, table, p * taps, taps);
        if (a > 0) y += a * (dot(buf, base, table, (p + 1) * taps, taps) - y);
      }
      emit(y);
      this.num += M;
      const whole = Math.floor(this.num / L);
      this.pos += whole;
      this.num -= whole * L;
    }
    const drop = this.pos - H + 1;
    if (drop > 0) {
      buf.copyWithin(0, drop, this.len);
      this.len -= drop;
      this.pos -= drop;
    }
  }
}

function dot(x, xi, h, hi, n) {
  let s = 0;
  for (let j = 0; j < n; j++) s += x[xi + j] * h[hi + j];
  return s;
}

class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = (options && options.processorOptions) || {};
    this.chunkSamples = opts.chunkSamples || 320; // 20 ms at 16 kHz
    this.resampler = new SincResampler(sampleRate, OUTPUT_RATE);
    this.chunk = new Float32Array(this.chunkSamples);
    this.fill = 0;
    this.running = true;
    this.mono = new Float32Array(128);
    this.emit = (y) => {
      this.chunk[this.fill++] = y;
      if (this.fill === this.chunkSamples) this.post();
    };
    this.port.onmessage = (e) => {
      const type = e.data && e.data.type;
      if (type === "flush") {
        if (this.fill > 0) this.post();
        this.port.postMessage({ type: "flushed" });
      } else if (type === "stop") {
        this.running = false;
      }
    };
    const r = this.resampler;
    this.port.postMessage({
      type: "info",
      inputRate: sampleRate,
      outputRate: OUTPUT_RATE,
      taps: r.taps,
      cutoff: r.cutoff,
      exact: r.exact,
    });
  }

  post() {
    const samples = this.fill === this.chunkSamples ? this.chunk : this.chunk.slice(0, this.fill);
    this.port.postMessage({ type: "chunk", samples }, [samples.buffer]);
    this.chunk = new Float32Array(this.chunkSamples);
    this.fill = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (channels && channels.length > 0) {
      const n = channels[0].length;
      if (this.mono.length !== n) this.mono = new Float32Array(n);
      const mono = this.mono;
      if (channels.length === 1) {
        mono.set(channels[0]);
      } else {
        mono.fill(0);
        for (const ch of channels) for (let i = 0; i < n; i++) mono[i] += ch[i];
        for (let i = 0; i < n; i++) mono[i] /= channels.length;
      }
      this.resampler.push(mono, this.emit);
    }
    return this.running;
  }
}

registerProcessor("lmuformer-capture", CaptureProcessor);

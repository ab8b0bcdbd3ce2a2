// The AudioWorklet of the announcement recorder (recorder.js): hands every block of the
// microphone's first channel to the page as a copy; it outputs silence.
class DurchwahlRecorder extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel && channel.length) this.port.postMessage(channel.slice(0));
    return true;
  }
}

registerProcessor('durchwahl-recorder', DurchwahlRecorder);

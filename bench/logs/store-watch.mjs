// The FLUXI_LOGS stream's size on the NATS server while the bench runs: bytes and messages it
// holds, sampled every 250 ms, so a run shows how far the store grew and whether it shrank back.
import { clearInterval, setInterval } from 'node:timers';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const STREAM = 'FLUXI_LOGS';
const EVERY_MS = 250;

/** Starts sampling; `stop()` resolves with { before, peak, after } (each { bytes, messages }). */
export async function watchLogStream(natsUrl) {
  const nc = await connect({ servers: natsUrl, name: 'bench-logs-store-watch' });
  const jsm = await jetstreamManager(nc);
  const sample = async () => {
    const { state } = await jsm.streams.info(STREAM);
    return { bytes: state.bytes, messages: state.messages };
  };
  const before = await sample();
  let peak = before;
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sample().then(
      (now) => {
        if (now.bytes > peak.bytes) peak = now;
      },
      () => undefined,
    );
  }, EVERY_MS);
  return {
    /** Stops sampling; with `settleMs`, waits that long at most for the stream to get back to its size before. */
    async stop(settleMs = 0) {
      const deadline = Date.now() + settleMs;
      let after = await sample();
      while (after.messages > before.messages && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await sample();
      }
      clearInterval(timer);
      await sampling;
      if (after.bytes > peak.bytes) peak = after;
      await nc.close();
      return { before, peak, after };
    },
  };
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/** One line: growth at the peak and at the end (up to 5 s after the last line was stored), against the start. */
export function describeStore({ before, peak, after }) {
  return (
    `NATS ${STREAM} store: peak +${mb(peak.bytes - before.bytes)} (${peak.messages} messages), ` +
    `after +${mb(after.bytes - before.bytes)} (${after.messages} messages)`
  );
}

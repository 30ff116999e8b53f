// A CPU profile of this process around one piece of work (node:inspector), written as a
// .cpuprofile file that Chrome DevTools and `bench/lib/profile-top.mjs` read.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** Runs `work` with the CPU profiler on and writes the profile to `file`; returns work's result. */
export async function profiled(file, work) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

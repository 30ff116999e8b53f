// Where a chain step's time goes, from one run's run events (times in ms, the events' resolution):
// the executor's times (startedAt: process spawned; endedAt: finish event made, its log lines
// acknowledged), the scheduler's (`at` of the job run's QUEUED, STARTED and SUCCEEDED events: the
// clock reading taken when the step applying the event began, before its transaction) and BullMQ's
// (the execute job added after the step's commit; taken by a worker), see queue-times.mjs.
const ms = (iso) => (iso ? Date.parse(iso) : NaN);

/** Per job run, in stage order: the times of its hops. */
function jobRunTimes(events, queued) {
  const byId = new Map();
  for (const event of events) {
    const jobRun = event.jobRun;
    if (!jobRun) continue;
    const times = byId.get(jobRun.jobRunId) ?? { stageIndex: jobRun.stageIndex };
    if (event.kind === 'QUEUED') times.queued = ms(event.at);
    if (event.kind === 'STARTED') times.startApplied = ms(event.at);
    if (event.kind === 'SUCCEEDED') times.finishApplied = ms(event.at);
    if (jobRun.startedAt) times.spawned = ms(jobRun.startedAt);
    if (jobRun.endedAt) times.finished = ms(jobRun.endedAt);
    byId.set(jobRun.jobRunId, times);
  }
  for (const [id, times] of byId) Object.assign(times, queued.get(id) ?? {});
  return [...byId.values()].sort((a, b) => a.stageIndex - b.stageIndex);
}

const SPAWN = ['spawned → finish event (command, its log acked)', (a) => a.finished - a.spawned];
const TAKE = ['in BullMQ → a worker took it', (a, b) => b.taken - b.enqueued];
const START = ['worker took it → process spawned (contexts, secrets, folder, spawn)', (a, b) => b.spawned - b.taken];
/** A step whose next job the scheduler enqueued after applying the finish. */
const SCHEDULER_HOPS = [
  SPAWN,
  ['finish event → scheduler step began (publish, JetStream, consumer)', (a) => a.finishApplied - a.finished],
  ['step began → next QUEUED (the same clock reading)', (a, b) => b.queued - a.finishApplied],
  ['QUEUED → in BullMQ (transaction, commit, add)', (a, b) => b.enqueued - b.queued],
  TAKE,
  START,
];
/** A step whose next job, armed on this one, its executor enqueued (the fast path). */
const FAST_HOPS = [
  SPAWN,
  [
    'finish event → in BullMQ (the event acked, the armed job taken and added by the executor)',
    (a, b) => b.enqueued - a.finished,
  ],
  TAKE,
  START,
];

/** Whether the executor enqueued the next job (its armed key says `taken`, see queue-times.mjs). */
const fast = (a, b) => b.byExecutor === true;

function hopRows(hops, pairs) {
  return hops.map(([what, hop]) => ({ what, values: pairs.map(([a, b]) => hop(a, b)).filter(Number.isFinite) }));
}

/** The median and mean of each hop over the run's steps (job run k → k+1), fast-path steps apart. */
export function stepBreakdown(events, queued = new Map()) {
  const runs = jobRunTimes(events, queued);
  const pairs = [];
  for (let k = 0; k + 1 < runs.length; k++) pairs.push([runs[k], runs[k + 1]]);
  const fastPairs = pairs.filter(([a, b]) => fast(a, b));
  const slowPairs = pairs.filter(([a, b]) => !fast(a, b));
  const step = pairs.map(([a, b]) => b.spawned - a.spawned);
  const side = runs.map((r) => r.startApplied - r.spawned).filter(Number.isFinite);
  const created = events.find((e) => e.run && e.kind === 'CREATED');
  const closed = events.findLast((e) => e.run);
  const edges = {
    firstSpawn: runs[0] ? runs[0].spawned - ms(created?.at) : NaN,
    lastClose: runs.at(-1) ? ms(closed?.at) - runs.at(-1).finished : NaN,
  };
  return {
    groups: [
      {
        title: 'next job enqueued by the executor (fast path)',
        count: fastPairs.length,
        rows: hopRows(FAST_HOPS, fastPairs),
      },
      {
        title: 'next job enqueued by the scheduler',
        count: slowPairs.length,
        rows: hopRows(SCHEDULER_HOPS, slowPairs),
      },
    ],
    step: step.filter(Number.isFinite),
    side,
    edges,
    steps: pairs.length,
  };
}

const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
const med = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
};
const fmt = (values) => `median ${med(values).toFixed(0)} ms, mean ${mean(values).toFixed(1)} ms`;

export function printBreakdown({ groups, step, side, edges, steps }, of) {
  console.log(`  where a step goes (${of}, ${steps} steps, from its run events, ms resolution):`);
  for (const { title, count, rows } of groups) {
    if (count === 0) continue;
    console.log(`    ${count} steps, ${title}:`);
    for (const { what, values } of rows) {
      console.log(`      ${what}: ${values.length === 0 ? 'not known' : fmt(values)}`);
    }
  }
  console.log(`    = one step (spawn to next spawn): ${fmt(step)}`);
  console.log(`    beside the path: spawned → scheduler applied the started event: ${fmt(side)}`);
  console.log(
    `    run created → first spawn ${edges.firstSpawn.toFixed(0)} ms; last finish event → run closed ${edges.lastClose.toFixed(0)} ms`,
  );
}

import { IdPrefix, newId } from '@fluxi/common';
import { ContractVersion, create, RunEventKind, RunEventSchema, toBinary } from '@fluxi/contracts';
import type { NewRunEvent } from '../../src/store/outbox.js';
import type { RunTx } from '../../src/store/run-tx.js';

/** An event as the engine stores it: numbered by the store. */
export function event(runId: string, reason: string): NewRunEvent {
  const id = newId(IdPrefix.runEvent);
  const message = create(RunEventSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    id,
    pipelineRunId: runId,
    kind: RunEventKind.UPDATED,
    entity: { case: 'run', value: { reason } },
  });
  return {
    id,
    encode: (seq) => toBinary(RunEventSchema, { ...message, seq: BigInt(seq) }),
  };
}

/** As the engine does: the run locked, its events numbered after the last one stored. */
export async function appendLocked(tx: RunTx, runId: string, events: NewRunEvent[], at: Date): Promise<void> {
  const locked = await tx.lockRun(runId);
  if (locked === undefined) throw new Error(`no run ${runId}`);
  await tx.outbox.append(runId, events, at, locked.eventSeq);
}

// PyTorch CPU (1 thread) as a peer where Debian's python3-torch is installed: pytorch.py times F.cross_entropy
// forward and forward + backward on the same logits, in a process of its own (after the interleaved rounds of the
// others). BENCH_PYTHON names another interpreter.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

/** Whether the interpreter imports torch and numpy (said on the console when it does not). */
export function pytorchAvailable() {
  const ok = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
  if (!ok) console.log(`PyTorch CPU is left out: ${PYTHON} cannot import torch (apt-get install python3-torch)`);
  return ok;
}

/** Each mode's loss and its times in ms: { forward: { loss, ms: [...] }, 'forward + gradient': … }. */
export function pytorchPeer({ logits, targets, rows, classes }, rounds, minMs) {
  const dir = mkdtempSync(join(os.tmpdir(), 'xentropy-bench-'));
  try {
    writeFileSync(join(dir, 'logits'), logits);
    writeFileSync(join(dir, 'targets'), targets);
    const script = new URL('./pytorch.py', import.meta.url).pathname;
    const args = [script, join(dir, 'logits'), join(dir, 'targets'), rows, classes, rounds, minMs].map(String);
    const run = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`PyTorch peer failed: ${run.stderr}`);
    return JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

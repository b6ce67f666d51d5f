// ONNX Runtime side of bench/cpu_vs_ort.sh: batch-1 latency of one model with onnxruntime-node.
// Each timed iteration is one `await session.run(feeds)` (ORT copies the outputs into JS memory);
// prints JSON with the median and p90 in milliseconds and the process CPU time per run.
//
//   node ort_bench.js MODEL.onnx --threads N [--warmup N] [--iterations N]
'use strict';
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const args = { model: null, threads: 1, warmup: 20, iterations: 200 };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (['--threads', '--warmup', '--iterations'].includes(a)) {
      const value = Number.parseInt(argv[++i], 10);
      if (!Number.isInteger(value)) throw new Error(`${a} expects an integer`);
      args[a.slice(2)] = value;
    } else if (!a.startsWith('--') && args.model === null) {
      args.model = a;
    } else {
      throw new Error(`unexpected argument '${a}'`);
    }
  }
  if (args.model === null) throw new Error('usage: node ort_bench.js MODEL --threads N [--warmup N] [--iterations N]');
  return args;
}

function percentile(sorted, p) {
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

// Random float inputs; symbolic dimensions (the batch) are bound to 1 as edgescope does.
function randomFeeds(session) {
  const feeds = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor || meta.type !== 'float32') throw new Error(`input '${meta.name}' is not a float32 tensor`);
    const dims = meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; ++i) data[i] = Math.random();
    feeds[meta.name] = new ort.Tensor('float32', data, dims);
  }
  return feeds;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const feeds = randomFeeds(session);
  for (let i = 0; i < args.warmup; ++i) await session.run(feeds);
  const times = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < args.iterations; ++i) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const cpu = process.cpuUsage(cpuStart);
  times.sort((a, b) => a - b);
  const result = {
    model: args.model,
    onnxruntime: require('onnxruntime-node/package.json').version,
    threads: args.threads,
    iterations: args.iterations,
    median_ms: percentile(times, 0.5),
    p90_ms: percentile(times, 0.9),
    min_ms: times[0],
    cpu_ms_per_run: (cpu.user + cpu.system) / 1e3 / args.iterations,
  };
  console.log(JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(`ort_bench: error: ${e.message}`);
  process.exit(2);
});

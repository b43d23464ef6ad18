// `npm run bench`: every benchmark in one run, so ratios compare like with like.
// Figures go into README.md by hand; nothing here is asserted.
const suites = [
  ["transfer (issue 2)", "./transfer.mjs"],
  ["start-up", "./startup.mjs"],
  ["install (issue 3)", "./install.mjs"],
  ["primitives vs async-mutex (issue 4)", "./primitives.mjs"],
  ["tracing on the board (issue 7)", "./board-trace.mjs"],
];

const only = process.argv.slice(2);
for (const [title, file] of suites) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  let mod;
  try {
    mod = await import(file);
  } catch (err) {
    if (err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes(file.slice(2))) continue;
    throw err;
  }
  console.log(`\n## ${title}`);
  const rows = await mod.run();
  console.log("| measurement | value | ratio | note |\n| --- | --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.name} | ${r.value} | ${r.ratio ?? ""} | ${r.note ?? ""} |`);
}

/**
 * The benchmark against bare Socket.IO belongs to the performance issue and is not
 * written yet. This placeholder says so instead of printing figures that were never measured.
 */
console.error('npm run bench: the benchmark is not written yet (see the performance issue).');
process.exitCode = 1;

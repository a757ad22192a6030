/**
 * Resolves when the process that started this one is gone: the kernel then re-parents us (to init or a subreaper),
 * so the parent pid changes. An MCP host that dies without closing our stdin (it was inherited by another process,
 * or the host was killed while a grandchild holds the pipe) would otherwise leave the bridge running for ever.
 * Checking `process.ppid` (one getppid() call) every second costs nothing and finds an orphan within a second.
 */
export function parentGone(intervalMs = 1000): Promise<void> {
  const parent = process.ppid;
  return new Promise((resolve) => {
    // Started by init (pid 1) or with no parent to lose: nothing to watch.
    if (parent <= 1) return;
    const timer = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(timer);
      resolve();
    }, intervalMs);
    timer.unref(); // watching alone is no reason to stay alive
  });
}

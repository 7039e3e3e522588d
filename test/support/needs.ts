/**
 * Prerequisites that are not a cloud: a tool (qemu-img, mkfifo), a permission (mounting a small filesystem), a built
 * artefact (the CLI). Honest skips (issue 11.7):
 *  - under REQUIRE_CLOUD=1 (CI) a missing prerequisite is a FAILURE that names it, never a silent skip;
 *  - elsewhere the test is skipped with the reason in its name.
 * Platform limits are different: a test that needs POSIX file modes or FIFOs is skipped on Windows everywhere, by
 * platform and with the reason (`onPosix`), so that the unit step can pass on Windows and macOS runners.
 */
import { describe, it } from 'vitest'

const REQUIRED = (): boolean => process.env.REQUIRE_CLOUD === '1'

export const IS_WINDOWS = process.platform === 'win32'
export const POSIX_ONLY = 'POSIX file modes and FIFOs: skipped on Windows'

/** `it`, skipped on Windows with the reason in the test's name. */
export function onPosix(name: string, fn: () => unknown | Promise<unknown>, timeout?: number): void {
  if (IS_WINDOWS) it.skip(`${name} (${POSIX_ONLY})`, fn)
  else it(name, fn, timeout)
}

/** `describe` when `problem` is null; otherwise a failure under REQUIRE_CLOUD=1, or a skip that says why. */
export function describeNeeds(name: string, problem: string | null, fn: () => void): void {
  if (!problem) describe(name, fn)
  else if (REQUIRED()) {
    describe(name, () => {
      it('has what it needs', () => {
        throw new Error(`REQUIRE_CLOUD=1 but ${problem}`)
      })
    })
  } else describe.skip(`${name} (skipped: ${problem})`, fn)
}

/** `it` when `problem` is null; otherwise a failure under REQUIRE_CLOUD=1, or a skip that says why. */
export function itNeeds(problem: string | null): (name: string, fn: () => unknown | Promise<unknown>, timeout?: number) => void {
  return (name, fn, timeout) => {
    if (!problem) it(name, fn, timeout)
    else if (REQUIRED()) {
      it(name, () => {
        throw new Error(`REQUIRE_CLOUD=1 but ${problem}`)
      })
    } else it.skip(`${name} (skipped: ${problem})`, fn)
  }
}

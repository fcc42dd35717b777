/** The usage text of `eddy test` (apart from its command, so that `eddy --help` does not load the engine). */
export const TEST_USAGE = `  eddy test [--verbose] [--filter TEXT] [--allow-unsupported] [--bootstrap-servers HOST:PORT] <path>...
      Runs ksqlDB test files: query-validation JSON ({"tests": [...]}), REST query-validation JSON (with
      "responses"), and the test-runner layout (a directory with statements.sql, input.json, output.json).
      Directories are searched for them. Each test gets a fresh engine; PASS/FAIL/UNSUPPORTED per test, then
      totals. --filter runs the tests whose name contains TEXT; unsupported tests fail the run unless
      --allow-unsupported. See docs/ksql-test.md.`;

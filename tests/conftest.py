"""Settings shared by every part of the test suite."""

from hypothesis import HealthCheck, settings

# Property tests run on a shared two-core machine (and in CI beside the browser): how long one example
# takes says nothing about correctness there, so neither a deadline nor the "too slow" health checks fail
# a run. Speed is measured by the benchmarks in tests/perf, never asserted in the default run.
settings.register_profile(
    "workbench", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("workbench")

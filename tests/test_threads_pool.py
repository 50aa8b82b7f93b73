"""The worker pool (issue 15): long contiguous loops split over threads.

* Results are bit for bit those of one thread, for every function and dtype, over the
  accuracy input sets, with outputs on and off cache-line boundaries, and for the
  overlapping operands NumPy passes without a copy.
* A signalling NaN computed by a worker raises "invalid" in the caller, so np.errstate
  sees exactly what it sees with one thread.
* Many Python threads calling at once get the right bits, and the pool never has more
  workers than set_num_threads asked for (a caller that finds it busy runs alone).
* After fork the child's calls work, also when the fork happened mid-call in another
  thread; an interpreter exits promptly with the workers idle or busy.
* The controls: set_num_threads / get_num_threads and their errors, the environment
  variables, show_config, threadpoolctl.

The pool splits runs of at least GRAIN elements: every array here is longer.
"""

import contextlib
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import sigmoidx
from inputs import (float16_all, float32_strided, float32_thresholds, float64_edges,
                    float64_random, longdouble_points)

GRAIN = 32768  # PARALLEL_GRAIN in csrc/module.c
HAS_THREADS = bool(sigmoidx._core.has_threads)
needs_threads = pytest.mark.skipif(not HAS_THREADS, reason="built without threads")
TEAMS = (2, 3, 5)  # more threads than this machine's cores is allowed and must work too


@contextlib.contextmanager
def num_threads(n):
    previous = sigmoidx.set_num_threads(n)
    try:
        yield
    finally:
        sigmoidx.set_num_threads(previous)


def bits(a):
    """Comparable raw bits (x87 long double: its 10 significant bytes only)."""
    a = np.ascontiguousarray(a)
    if a.dtype.kind == "c":
        a = a.view(a.real.dtype)
    if a.dtype == np.longdouble and np.finfo(np.longdouble).nmant == 63:
        return a.view(np.uint8).reshape(a.shape + (a.itemsize,))[..., :10].copy()
    return a.view(f"u{a.itemsize}").copy()


def input_set(dtype):
    """The accuracy tests' inputs for a dtype, long enough for many pieces."""
    if dtype == np.float16:
        x = np.tile(float16_all(), 2)
    elif dtype == np.float32:
        x = np.concatenate([float32_thresholds(2**12), float32_strided(2**16 + 1)])
    elif dtype == np.float64:
        x = np.concatenate([float64_edges()[::7], float64_random(60_000)])
    else:
        x = longdouble_points(70_000)
    x = np.asarray(x, dtype=dtype)
    assert x.size >= 2 * GRAIN
    return x


def probabilities(x):
    """Inputs for logit: sigmoid of the set (every regime of p in [0, 1]) and the set."""
    with np.errstate(all="ignore"):
        return np.concatenate([sigmoidx.sigmoid(x), x])


def calls(dtype):
    """(name, function of an `out` offset returning the result arrays) for every ufunc
    that has this dtype; each output is written into a buffer shifted by `offset`
    elements, so that the pieces' cache-line alignment varies."""
    x = input_set(dtype)
    p = probabilities(x)
    rng = np.random.default_rng(5)
    dy = rng.standard_normal(x.size).astype(dtype)
    y = sigmoidx.sigmoid(x)

    def into(shape_like, offset):
        return np.empty(shape_like.size + offset, dtype=shape_like.dtype)[offset:]

    result = []
    for f in (sigmoidx.sigmoid, sigmoidx.sigmoid_grad, sigmoidx.log_sigmoid):
        result.append((f.__name__, lambda o, f=f: [f(x, out=into(x, o))]))
    result.append(("logit", lambda o: [sigmoidx.logit(p, out=into(p, o))]))
    result.append(("sigmoid_and_grad",
                   lambda o: list(sigmoidx.sigmoid_and_grad(x, out=(into(x, o), into(x, o))))))
    result.append(("sigmoid_backward",
                   lambda o: [sigmoidx.sigmoid_backward(dy, y, out=into(x, o))]))
    if dtype in (np.float32, np.float64):
        z = (x[: x.size // 2] + 1j * x[x.size // 2: 2 * (x.size // 2)]).astype(
            np.complex64 if dtype == np.float32 else np.complex128)
        for f in (sigmoidx.sigmoid, sigmoidx.sigmoid_grad):
            result.append((f"{f.__name__} complex",
                           lambda o, f=f: [f(z, out=into(z, o))]))
    return result


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble],
                         ids=lambda d: np.dtype(d).name)
def test_every_function_gives_the_bits_of_one_thread(dtype):
    with np.errstate(all="ignore"):
        for name, run in calls(dtype):
            with num_threads(1):
                expected = [bits(a) for a in run(0)]
            for team in TEAMS:
                for offset in (0, 1, 3):
                    with num_threads(team):
                        got = [bits(a) for a in run(offset)]
                    for e, g in zip(expected, got):
                        assert np.array_equal(e, g), (
                            f"{name} {np.dtype(dtype).name}: {team} threads, out offset "
                            f"{offset}: {np.count_nonzero(e != g)} elements differ")


@pytest.mark.parametrize("n", [GRAIN - 1, GRAIN, GRAIN + 1, GRAIN + 63, 3 * GRAIN + 17, 10**6 + 3])
def test_lengths_around_the_grain_and_odd_ones(n):
    x = np.random.default_rng(n).uniform(-100, 100, n)
    for dtype in (np.float16, np.float32, np.float64):
        xd = x.astype(dtype)
        with num_threads(1):
            expected = bits(sigmoidx.sigmoid(xd))
        with num_threads(3):
            assert np.array_equal(bits(sigmoidx.sigmoid(xd)), expected)


def test_in_place_and_overlapping_operands():
    """In place splits; an output starting one element behind its input (which NumPy
    passes without a copy: a forward pass is right) must give the forward pass's bits."""
    x = np.random.default_rng(7).uniform(-20, 20, 5 * GRAIN)
    for shift in (0, 1, 5):
        a, b = x.copy(), x.copy()
        with num_threads(1):
            sigmoidx.sigmoid(a[shift:], out=a[: a.size - shift])
        with num_threads(2):
            sigmoidx.sigmoid(b[shift:], out=b[: b.size - shift])
        assert np.array_equal(bits(a), bits(b)), f"shift {shift}"
    y = x.copy()
    with num_threads(3):
        sigmoidx.sigmoid_backward(y, y, out=y)
    with num_threads(1):
        assert np.array_equal(bits(y), bits(sigmoidx.sigmoid_backward(x, x)))


# ------------------------------------------------------------ floating-point flags

SNAN = {np.float16: (np.uint16, 0x7D00), np.float32: (np.uint32, 0x7FA00000),
        np.float64: (np.uint64, 0x7FF4000000000000)}


def raises_invalid(f, x):
    try:
        with np.errstate(invalid="raise"):
            f(x)
    except FloatingPointError:
        return True
    return False


@needs_threads
@pytest.mark.parametrize("dtype", list(SNAN), ids=lambda d: np.dtype(d).name)
def test_a_signalling_nan_in_any_piece_reaches_errstate(dtype):
    """One signalling NaN, moved through every piece of the run in turn (whichever thread
    takes the piece computes it), in many calls: each call raises "invalid" exactly when
    one thread does.  Lost flags from a worker would miss most of them."""
    uint, pattern = SNAN[dtype]
    n, team = 16 * GRAIN, 4
    pieces = 8 * team  # PIECES_PER_THREAD in csrc/thread_pool.c
    for f in (sigmoidx.sigmoid, sigmoidx.sigmoid_grad, sigmoidx.log_sigmoid, sigmoidx.logit,
              sigmoidx.sigmoid_and_grad):
        x = np.full(n, 0.25, dtype=dtype)
        x.view(uint)[n // 2] = pattern
        with num_threads(1):
            expected = raises_invalid(f, x)
        x.view(uint)[n // 2] = np.array(0.25, dtype=dtype).view(uint)
        with num_threads(team):
            assert not raises_invalid(f, x), "invalid raised without a NaN"
            for position in list(range(n // pieces // 2, n, n // pieces)) * 2:
                x.view(uint)[position] = pattern
                assert raises_invalid(f, x) == expected, (
                    f"{f.__name__}: signalling NaN at {position} of {n}")
                x.view(uint)[position] = np.array(0.25, dtype=dtype).view(uint)


@needs_threads
def test_flags_reach_warnings_as_with_one_thread():
    uint, pattern = SNAN[np.float32]
    x = np.full(8 * GRAIN, 1.0, dtype=np.float32)
    x.view(uint)[-5] = pattern
    for team in (1, 3):
        with num_threads(team), pytest.warns(RuntimeWarning, match="invalid"):
            with np.errstate(invalid="warn"):
                sigmoidx.sigmoid(x)


# ------------------------------------------------------------ concurrency


ONE_TEAM_SCRIPT = """
    import os, threading
    import numpy as np
    import sigmoidx

    def pool_workers():
        names = []
        for task in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{task}/comm") as comm:
                    names.append(comm.read().strip())
            except OSError:  # the thread ended meanwhile
                pass
        return names.count("sigmoidx-pool")

    sigmoidx.set_num_threads(3)
    x = np.random.default_rng(0).uniform(-40, 40, 2**18)
    barrier = threading.Barrier(12)
    def call():
        barrier.wait()
        for _ in range(20):
            sigmoidx.sigmoid(x)
    threads = [threading.Thread(target=call) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(pool_workers())
"""


@needs_threads
def test_many_python_threads_at_once_get_the_right_bits():
    rng = np.random.default_rng(11)
    arrays = [rng.uniform(-50, 50, n).astype(dtype)
              for n in (GRAIN + 5, 4 * GRAIN + 1, 400_000)
              for dtype in (np.float32, np.float64)]
    functions = (sigmoidx.sigmoid, sigmoidx.sigmoid_grad, sigmoidx.log_sigmoid)
    with num_threads(1):
        expected = [[bits(f(a)) for a in arrays] for f in functions]
    failures = []
    n_threads = 12
    barrier = threading.Barrier(n_threads)

    def worker(seed):
        order = np.random.default_rng(seed)
        barrier.wait()
        for _ in range(4):
            for i in order.permutation(len(functions)):
                for j in order.permutation(len(arrays)):
                    if not np.array_equal(bits(functions[i](arrays[j])), expected[i][j]):
                        failures.append((functions[i].__name__, arrays[j].dtype.name,
                                         arrays[j].size))

    with num_threads(3):
        threads = [threading.Thread(target=worker, args=(s,)) for s in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not failures, failures[:10]


@needs_threads
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads thread names in /proc")
def test_concurrent_callers_share_one_team():
    """Twelve Python threads calling at once with a team of 3: the process has exactly
    the 2 workers (the callers that find the pool busy compute alone)."""
    result = run_python(ONE_TEAM_SCRIPT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "2"


# ------------------------------------------------------------ fork and shutdown


def run_python(script, timeout=120, env=None):
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env,
                            capture_output=True, text=True, timeout=timeout,
                            cwd=os.path.dirname(os.path.dirname(sigmoidx.__file__)))
    return result


FORK_SCRIPT = """
    import os, sys, threading
    import numpy as np
    import sigmoidx

    sigmoidx.set_num_threads(3)
    x = np.random.default_rng(0).uniform(-40, 40, 2**20)
    expected = sigmoidx.sigmoid(x)  # the parent's pool now has its workers

    def child():
        ok = all(np.array_equal(sigmoidx.sigmoid(x), expected) for _ in range(3))
        os._exit(0 if ok else 3)

    def wait(pid):
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status

    # 1. fork with the pool idle
    pid = os.fork()
    if pid == 0:
        child()
    wait(pid)

    # 2. fork while other threads are inside pooled calls
    stop = threading.Event()
    def busy():
        while not stop.is_set():
            sigmoidx.sigmoid(x)
    threads = [threading.Thread(target=busy) for _ in range(2)]
    for t in threads:
        t.start()
    for _ in range(20):
        pid = os.fork()
        if pid == 0:
            child()
        wait(pid)
    stop.set()
    for t in threads:
        t.join()

    print("fork ok")
"""


@needs_threads
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_calls_after_fork_work_in_the_child():
    result = run_python(FORK_SCRIPT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "fork ok"


MP_SCRIPT = """
    import multiprocessing
    import numpy as np
    import sigmoidx

    def work(seed):
        x = np.random.default_rng(seed).uniform(-40, 40, 2**19)
        sigmoidx.set_num_threads(1)
        one = sigmoidx.sigmoid(x)
        sigmoidx.set_num_threads(2)
        return bool(np.array_equal(one, sigmoidx.sigmoid(x)))

    if __name__ == "__main__":
        sigmoidx.sigmoid(np.zeros(2**20))  # workers started in the parent
        with multiprocessing.get_context("fork").Pool(2) as pool:
            print(pool.map(work, range(4)))
"""


@needs_threads
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_multiprocessing_fork_children_use_their_own_pool():
    result = run_python(MP_SCRIPT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "[True, True, True, True]"


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "busy"])
def test_interpreter_exits_promptly_with_workers_idle_or_busy(busy):
    script = f"""
        import threading, time
        import numpy as np
        import sigmoidx

        sigmoidx.set_num_threads(2)
        x = np.random.default_rng(0).uniform(-40, 40, 2**22)
        sigmoidx.sigmoid(x)
        if {busy}:
            def loop():
                while True:
                    sigmoidx.sigmoid(x, out=np.empty_like(x))
            for _ in range(3):
                threading.Thread(target=loop, daemon=True).start()
            time.sleep(0.3)
        print("exiting")
    """
    result = run_python(script, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "exiting"


# ------------------------------------------------------------ controls


def test_set_num_threads_returns_the_previous_value():
    before = sigmoidx.get_num_threads()
    assert sigmoidx.set_num_threads(3) == before
    try:
        assert sigmoidx.get_num_threads() == (3 if HAS_THREADS else 1)
        assert sigmoidx.show_config()["num_threads"] == sigmoidx.get_num_threads()
        assert sigmoidx.set_num_threads(np.int64(2)) == (3 if HAS_THREADS else 1)
        assert sigmoidx.set_num_threads(sigmoidx._core.max_num_threads) == (
            2 if HAS_THREADS else 1)
    finally:
        sigmoidx.set_num_threads(before)
    assert sigmoidx.get_num_threads() == before


@pytest.mark.parametrize("bad, error, message", [
    (0, ValueError, "from 1 to 256, not 0"),
    (-1, ValueError, "from 1 to 256, not -1"),
    (257, ValueError, "from 1 to 256, not 257"),
    (10**30, ValueError, "from 1 to 256"),
    (2.0, TypeError, "must be an int, not float"),
    ("2", TypeError, "must be an int, not str"),
    (None, TypeError, "must be an int, not NoneType"),
    (True, TypeError, "not a bool"),
])
def test_set_num_threads_refuses_bad_input_and_changes_nothing(bad, error, message):
    before = sigmoidx.get_num_threads()
    with pytest.raises(error, match=message):
        sigmoidx.set_num_threads(bad)
    assert sigmoidx.get_num_threads() == before


def test_the_core_setter_checks_its_range_too():
    for bad in (0, -5, 257, 2**70):
        with pytest.raises(ValueError, match="from 1 to 256"):
            sigmoidx._core._set_num_threads(bad)


def default_in_subprocess(env_changes, cpus=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SIGMOIDX_NUM_THREADS", "OMP_NUM_THREADS")}
    env.update(env_changes)
    script = "import sigmoidx; print(sigmoidx.get_num_threads())"
    command = [sys.executable, "-W", "always", "-c", script]
    pin = None if cpus is None else (lambda: os.sched_setaffinity(0, cpus))
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60,
                            cwd=os.path.dirname(os.path.dirname(sigmoidx.__file__)),
                            preexec_fn=pin)
    assert result.returncode == 0, result.stderr
    return int(result.stdout), result.stderr


@needs_threads
def test_environment_variables_set_the_default():
    cpus = len(os.sched_getaffinity(0))
    assert default_in_subprocess({}) == (cpus, "")
    assert default_in_subprocess({"OMP_NUM_THREADS": "1"}) == (1, "")
    assert default_in_subprocess({"OMP_NUM_THREADS": "3,2"}) == (3, "")
    assert default_in_subprocess({"SIGMOIDX_NUM_THREADS": "5", "OMP_NUM_THREADS": "1"}) == (5, "")
    assert default_in_subprocess({"SIGMOIDX_NUM_THREADS": "1000"}) == (256, "")
    count, warning = default_in_subprocess({"SIGMOIDX_NUM_THREADS": "many",
                                            "OMP_NUM_THREADS": "2"})
    assert count == 2 and "SIGMOIDX_NUM_THREADS='many'" in warning
    count, warning = default_in_subprocess({"OMP_NUM_THREADS": "0"})
    assert count == cpus and "OMP_NUM_THREADS='0'" in warning


@needs_threads
@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="needs sched_getaffinity")
def test_the_default_is_the_cpus_this_process_may_use():
    """Not os.cpu_count(): a process confined to one CPU (taskset, containers) gets 1."""
    one_cpu = {min(os.sched_getaffinity(0))}
    assert default_in_subprocess({}, cpus=one_cpu) == (1, "")


try:
    import threadpoolctl
except ImportError:  # pragma: no cover - in the test extras
    threadpoolctl = None


@needs_threads
@pytest.mark.skipif(threadpoolctl is None or not hasattr(threadpoolctl, "register"),
                    reason="needs threadpoolctl >= 3.2")
def test_threadpoolctl_sees_and_limits_the_pool():
    with num_threads(2):
        info = [lib for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "sigmoidx"]
        assert len(info) == 1, threadpoolctl.threadpool_info()
        assert info[0]["num_threads"] == 2
        assert info[0]["version"] == sigmoidx.__version__
        assert os.path.samefile(info[0]["filepath"], sigmoidx._core.__file__)
        with threadpoolctl.threadpool_limits(1):
            assert sigmoidx.get_num_threads() == 1
        assert sigmoidx.get_num_threads() == 2
        with threadpoolctl.threadpool_limits(limits=4, user_api="sigmoidx"):
            assert sigmoidx.get_num_threads() == 4
        assert sigmoidx.get_num_threads() == 2


def test_without_threads_everything_is_serial():
    if HAS_THREADS:
        pytest.skip("built with threads (scripts/tsan.sh builds and runs the serial one)")
    assert sigmoidx.set_num_threads(4) == 1
    assert sigmoidx.get_num_threads() == 1

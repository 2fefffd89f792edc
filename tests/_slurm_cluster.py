"""A real one-node Slurm cluster for tests: munge, slurmctld and slurmd.

``SlurmCluster(directory).start()`` starts ``munged`` (unless one answers
already), then ``slurmctld`` and ``slurmd`` in the foreground as children of
this process, with a ``slurm.conf`` and all their state, spool, pid and log
files in ``directory``, on two free ports; it waits until ``sinfo`` shows the
node idle. ``env`` holds the ``SLURM_CONF`` the client commands (``srun``,
``squeue``, ``scancel``) need. ``stop()`` cancels the jobs left, stops the
daemons it started (``munged`` only if it started it and no other Slurm
daemons, e.g. another test session's, still use it) and is safe to call
twice. Starting needs root and Debian's ``slurmctld slurmd slurm-client
munge`` packages (``make slurm`` installs them); ``unavailable_reason()``
says why the tests cannot run here, ``SlurmClusterError`` why the cluster
did not start.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

#: programs a test cluster needs
PROGRAMS = ("munged", "munge", "slurmctld", "slurmd", "sinfo", "srun", "squeue", "scancel",
            "scontrol")
#: where Debian installs the daemons (not always on a PATH)
_SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin")
MUNGE_KEY = Path("/etc/munge/munge.key")
MUNGE_RUN_DIR = Path("/run/munge")
#: seconds to wait for the node to become idle
START_TIMEOUT = 30.0
LOG_TAIL_LINES = 30

SLURM_CONF = """\
ClusterName=dacapotest
SlurmctldHost={host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
StateSaveLocation={dir}/state
SlurmdSpoolDir={dir}/spool
SlurmctldPidFile={dir}/slurmctld.pid
SlurmdPidFile={dir}/slurmd.pid
SlurmctldLogFile={dir}/slurmctld.log
SlurmdLogFile={dir}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
KillWait=2
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


class SlurmClusterError(RuntimeError):
    """The test cluster did not start; the message shows the daemon logs."""


def which(program: str) -> Optional[str]:
    """``program`` on PATH or in the sbin directories."""
    return shutil.which(program, path=os.pathsep.join([os.environ.get("PATH", ""), *_SBIN]))


def unavailable_reason() -> Optional[str]:
    """Why a test cluster cannot run on this machine (None: it can)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the Slurm tests start munged, slurmctld and slurmd, which needs root"
    missing = [p for p in PROGRAMS if which(p) is None]
    if missing:
        return (f"Slurm is not installed ({', '.join(missing)} missing); `make slurm` "
                "installs slurmctld slurmd slurm-client munge with apt-get on root machines")
    return None


def _free_ports(count: int) -> List[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no such file)"
    return "\n".join(text[-lines:]) or "(empty)"


class SlurmCluster:
    """A one-node Slurm cluster whose files live in ``directory``."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.host = socket.gethostname().split(".")[0]
        self.conf = self.directory / "slurm.conf"
        #: CPUs of the node (at least 2, so that two worker jobs can run at once)
        self.cpus = max(2, os.cpu_count() or 1)
        self._daemons: Dict[str, subprocess.Popen] = {}
        self._munged: Optional[subprocess.Popen] = None

    @property
    def env(self) -> Dict[str, str]:
        """The variables Slurm's client commands need for this cluster."""
        return {"SLURM_CONF": str(self.conf)}

    def run(self, *command: str, timeout: float = 10) -> subprocess.CompletedProcess:
        """Runs a Slurm client command against this cluster."""
        return subprocess.run([which(command[0]) or command[0], *command[1:]],
                              env={**os.environ, **self.env}, capture_output=True,
                              text=True, timeout=timeout)

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Starts munged (if needed), slurmctld and slurmd; waits for an idle node."""
        try:
            self._start_munge()
            self._write_conf()
            for daemon in ("slurmctld", "slurmd"):
                self._start_daemon(daemon)
            self._wait_idle(timeout)
        except BaseException:
            self.stop()
            raise

    def _start_munge(self) -> None:
        if not MUNGE_KEY.exists():
            MUNGE_KEY.parent.mkdir(parents=True, exist_ok=True)
            MUNGE_KEY.write_bytes(os.urandom(1024))
            shutil.chown(MUNGE_KEY, "munge", "munge")
            MUNGE_KEY.chmod(0o400)
        MUNGE_RUN_DIR.mkdir(parents=True, exist_ok=True)
        shutil.chown(MUNGE_RUN_DIR, "munge", "munge")
        MUNGE_RUN_DIR.chmod(0o755)
        if self._munge_answers():
            return  # a munged runs already: use it, leave it running
        with open(self.directory / "munged.out", "wb") as log:
            self._munged = subprocess.Popen(
                [str(which("munged")), "--foreground", "--force"], user="munge",
                group="munge", extra_groups=[], stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 10
        while not self._munge_answers():
            if self._munged.poll() is not None or time.monotonic() > deadline:
                raise SlurmClusterError("munged did not start:\n"
                                        + _tail(self.directory / "munged.out"))
            time.sleep(0.1)

    @staticmethod
    def _munge_answers() -> bool:
        try:
            return subprocess.run([str(which("munge")), "-n"], capture_output=True,
                                  timeout=5).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    def _write_conf(self) -> None:
        for sub in ("state", "spool"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        ctld_port, slurmd_port = _free_ports(2)
        self.conf.write_text(SLURM_CONF.format(
            host=self.host, ctld_port=ctld_port, slurmd_port=slurmd_port, dir=self.directory,
            cpus=self.cpus,
        ))

    def _start_daemon(self, name: str) -> None:
        with open(self.directory / f"{name}.out", "wb") as out:
            self._daemons[name] = subprocess.Popen(
                [str(which(name)), "-D", "-f", str(self.conf)],
                env={**os.environ, **self.env}, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_idle(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            exited = [n for n, p in self._daemons.items() if p.poll() is not None]
            if exited:
                raise SlurmClusterError(f"{', '.join(exited)} exited while starting:\n"
                                        + self.logs())
            result = self.run("sinfo", "--noheader", "--format=%t", f"--nodes={self.host}")
            state = (result.stdout or result.stderr).strip()
            if state == "idle":
                return
            time.sleep(0.2)
        raise SlurmClusterError(f"the Slurm node {self.host!r} did not become idle within "
                                f"{timeout:.0f} s (last sinfo: {state!r}):\n{self.logs()}")

    def logs(self) -> str:
        """The last lines of every daemon log, for error messages."""
        names = ["slurmctld.log", "slurmctld.out", "slurmd.log", "slurmd.out", "munged.out"]
        return "\n".join(f"--- {self.directory / n}:\n{_tail(self.directory / n)}"
                         for n in names if (self.directory / n).exists())

    def job_ids(self) -> List[str]:
        """Ids of the jobs pending or running now."""
        result = self.run("squeue", "--noheader", "--format=%i")
        return result.stdout.split()

    def stop(self) -> None:
        """Cancels the jobs left; stops the daemons this object started."""
        if "slurmctld" in self._daemons and self._daemons["slurmctld"].poll() is None:
            self._cancel_jobs()
        for name in ("slurmd", "slurmctld"):
            process = self._daemons.pop(name, None)
            if process is not None:
                _terminate(process)
        if self._munged is not None and not _other_slurm_daemons():
            _terminate(self._munged)
        self._munged = None

    def _cancel_jobs(self, timeout: float = 10) -> None:
        try:
            ids = self.job_ids()
            if ids:
                self.run("scancel", *ids)
            deadline = time.monotonic() + timeout
            while self.job_ids() and time.monotonic() < deadline:
                time.sleep(0.2)
        except (OSError, subprocess.TimeoutExpired):
            pass  # the daemons are stopped next anyway


def _other_slurm_daemons() -> bool:
    """Whether Slurm daemons run here that are not ours (another test session's
    cluster, which uses the munged this one started)."""
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip() in ("slurmctld", "slurmd"):
                return True
        except OSError:
            continue  # the process ended meanwhile
    return False


def _terminate(process: subprocess.Popen, timeout: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

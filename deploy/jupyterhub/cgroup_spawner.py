"""LocalProcessSpawner that enforces mem_limit and cpu_limit with a cgroup per user (user_cgroup.py).

LocalProcessSpawner only passes the limits on as MEM_LIMIT/CPU_LIMIT variables. This spawner moves the
single-user server into the user's cgroup before it drops root, so its kernel and every JVM and server a
chapter starts inherit the limits; after every stop, whether the hub stopped the server or it exited by itself
(idle culling), it kills whatever is still in the cgroup and removes it, so nothing of a stopped user outlives
the stop.
"""
import asyncio
import os

from jupyterhub.spawner import LocalProcessSpawner
from jupyterhub.utils import maybe_future

from user_cgroup import UserCgroup


class CgroupSpawner(LocalProcessSpawner):

    def make_preexec_fn(self, name):
        drop_root = super().make_preexec_fn(name)
        procs_files = UserCgroup(name).procs_files()

        def preexec():  # in the forked child, still root: join the cgroups, then become the user
            for procs in procs_files:
                with open(procs, "w") as f:
                    f.write(str(os.getpid()))
            drop_root()

        return preexec

    async def start(self):
        UserCgroup(self.user.name).create(self.mem_limit, self.cpu_limit)
        return await super().start()

    async def run_post_stop_hook(self):
        # Not in stop(): when the server exits by itself (shutdown_no_activity_timeout) JupyterHub calls only this.
        cgroup = UserCgroup(self.user.name)
        for _ in range(50):  # the server has shut its kernels down; kill what did not go with it
            if not cgroup.pids():
                break
            cgroup.kill_all()
            await asyncio.sleep(0.1)
        cgroup.remove()
        return await maybe_future(super().run_post_stop_hook())

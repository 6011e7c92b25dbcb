"""`microdrama worker --queue gpu|cpu`: one Celery worker of the cluster profile.

A `gpu` worker runs one model step at a time on the GPU it is pinned to (`--gpu N`) and keeps
its models loaded between steps and runs; a `cpu` worker encodes and packages. The worker is
Celery's own (`celery -A resources.celery_app worker`); this command only fills in the options
that make it safe: one step at a time per process, fair scheduling, and the queue's name.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

QUEUES = ("gpu", "cpu")  # resources/executors.py routes model steps to the first


def celery_argv(queue: str, name: str, concurrency: int, loglevel: str) -> list[str]:
    """The `celery worker` command line of one worker."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "resources.celery_app",
        "worker",
        "--queues",
        queue,
        "--hostname",
        f"{name}@{socket.gethostname()}",
        "--concurrency",
        str(concurrency),
        "--pool",
        "prefork",
        "-O",
        "fair",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        loglevel,
    ]


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("worker", help="start a Celery worker of the cluster profile")
    parser.add_argument(
        "--queue",
        type=queues,
        required=True,
        help="gpu, cpu, or gpu,cpu (one worker for both, on a machine without a GPU)",
    )
    parser.add_argument("--name", help="the worker's name (default: the queue's name)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="steps at once (a gpu worker always runs one: one worker per GPU)",
    )
    parser.add_argument("--gpu", help="the GPU this worker is pinned to (CUDA_VISIBLE_DEVICES)")
    parser.add_argument("--loglevel", default="info")
    parser.set_defaults(handler=worker)


def queues(text: str) -> str:
    names = [name.strip() for name in text.split(",")]
    unknown = [name for name in names if name not in QUEUES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"{text!r}: use gpu, cpu or gpu,cpu")
    return ",".join(names)


def worker(args: argparse.Namespace) -> int:
    """Replace this process with the Celery worker, so signals reach it directly."""
    from resources.config import REPO, child_environment
    from resources.executors import GPU_QUEUE

    on_gpu = GPU_QUEUE in args.queue.split(",")
    concurrency = 1 if on_gpu else max(1, args.concurrency)
    extra = {"CUDA_VISIBLE_DEVICES": args.gpu} if args.gpu is not None else {}
    name = args.name or args.queue.replace(",", "-")
    argv = celery_argv(args.queue, name, concurrency, args.loglevel)
    os.chdir(REPO)  # the workers load the code location from the repository
    os.execve(sys.executable, argv, child_environment(extra))
    return 0  # not reached: execve does not return

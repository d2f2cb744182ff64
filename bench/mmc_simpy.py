"""The M/M/c queue of bench_engine (lambda = 9, mu = 1, c = 10) in SimPy 2 (Debian's
python3-simpy, SimPy.Simulation), for the side-by-side figure of `make bench`.

usage: /usr/bin/python3 bench/mmc_simpy.py CUSTOMERS [SEED]

Serves CUSTOMERS customers after a warm-up of a tenth as many, and prints
`simpy_customers_per_s` (customers served per second of wall time, warm-up excluded),
`simpy_customers_per_cpu_s` (per second of the process's CPU time) and `simpy_mean_wait`
(mean wait in queue, Erlang-C: 0.6687).
"""
import random
import sys
import time

from SimPy.Simulation import (Process, Resource, activate, hold, initialize, now, release,
                              request, simulate, stopSimulation)

LAMBDA, MU, SERVERS = 9.0, 1.0, 10


class Stats:
    def __init__(self, warmup, customers):
        self.warmup, self.target = warmup, warmup + customers
        self.served, self.waits, self.wait_sum = 0, 0, 0.0
        self.t_start = self.t_end = self.c_start = self.c_end = None


class Customer(Process):
    def visit(self, server, stats, rng):
        arrived = now()
        yield request, self, server
        if stats.served >= stats.warmup:
            stats.waits += 1
            stats.wait_sum += now() - arrived
        yield hold, self, rng.expovariate(MU)
        yield release, self, server
        stats.served += 1
        if stats.served == stats.warmup:
            stats.t_start = time.perf_counter()
            stats.c_start = time.process_time()
        elif stats.served == stats.target:
            stats.t_end = time.perf_counter()
            stats.c_end = time.process_time()
            stopSimulation()


class Source(Process):
    def generate(self, server, stats, rng):
        while True:
            c = Customer()
            activate(c, c.visit(server, stats, rng))
            yield hold, self, rng.expovariate(LAMBDA)


def main():
    customers = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
    stats = Stats(max(customers // 10, 1), customers)
    initialize()
    server = Resource(capacity=SERVERS)
    source = Source()
    activate(source, source.generate(server, stats, rng))
    simulate(until=1e12)
    print("simpy_customers %d" % customers)
    print("simpy_customers_per_s %.4g" % (customers / (stats.t_end - stats.t_start)))
    print("simpy_customers_per_cpu_s %.4g" % (customers / (stats.c_end - stats.c_start)))
    print("simpy_mean_wait %.4f" % (stats.wait_sum / stats.waits))


if __name__ == "__main__":
    main()

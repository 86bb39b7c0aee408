"""The Bass reduction of agora's model (docs/MODEL.md, "Reductions"), written as an idiomatic
Mesa 3 model, for a side-by-side speed comparison with agora's `bass-diffusion` scenario.

Each day every prospect who has not adopted sees an ad with probability p, and meets one member
of the population uniformly at random, who (if an adopter) recommends with probability q; the
update is synchronous (decide from yesterday's adopters, then apply), as in agora.

    python3 benches/peers/mesa_bass.py N DAYS [P Q SEED]

prints one line: `mesa N DAYS seconds agent_days_per_second final_adopted_share`.
"""

import sys
import time

import mesa


class Prospect(mesa.Agent):
    """A member of the traffic pool, who adopts (joins) at most once."""

    def __init__(self, model):
        super().__init__(model)
        self.adopted = False
        self.adopts_today = False

    def step(self):
        """Decide from yesterday's state: an ad, or a recommendation from a random contact."""
        if self.adopted:
            return
        model = self.model
        seen_ad = self.random.random() < model.p
        contact = model.prospects[self.random.randrange(model.n)]
        recommended = contact.adopted and self.random.random() < model.q
        self.adopts_today = seen_ad or recommended

    def advance(self):
        """Apply today's decision (two-phase, synchronous update)."""
        if self.adopts_today:
            self.adopted = True
            self.adopts_today = False


class BassModel(mesa.Model):
    """Bass diffusion on a well-mixed population of `n` prospects."""

    def __init__(self, n, p, q, seed=None):
        super().__init__(seed=seed)
        self.n, self.p, self.q = n, p, q
        Prospect.create_agents(self, n)
        self.prospects = list(self.agents)
        self.datacollector = mesa.DataCollector(
            model_reporters={"adopted": lambda m: sum(a.adopted for a in m.prospects) / m.n}
        )

    def step(self):
        self.agents.do("step")
        self.agents.do("advance")


def main():
    n, days = int(sys.argv[1]), int(sys.argv[2])
    p = float(sys.argv[3]) if len(sys.argv) > 3 else 0.003
    q = float(sys.argv[4]) if len(sys.argv) > 4 else 0.08
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    start = time.perf_counter()
    model = BassModel(n, p, q, seed=seed)
    for _ in range(days):
        model.step()
    seconds = time.perf_counter() - start
    share = sum(a.adopted for a in model.prospects) / n
    print(f"mesa {n} {days} {seconds:.3f} {n * days / seconds:.0f} {share:.4f}")


if __name__ == "__main__":
    main()

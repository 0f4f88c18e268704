"""Many replications of one small model stepped together in one vectorised state.

R replications of the same shape (customers + prospects, employees) are stacked in
blocks: customer arrays are R blocks of N nodes, employee arrays R blocks of E slots,
the customer network is block-diagonal (each block's node labels offset by r x N), the
employee network's edge arrays are offset by r x E. Every per-firm number (fault rate,
shared record, utilisation, management's time, the week's counts) is an array of R.

Each replication has its own numpy Generator, seeded exactly as the single model's
(Mesa's ``Model(rng=seed)`` is ``np.random.default_rng(seed)``), and every random draw
is made per replication with the size and in the order the single run makes it (only
the order within one generator matters), so replication r gives the numbers
``OrganisationModel(params, rng=seeds[r])`` gives alone, bit for bit. Reductions over a
replication (sums, means) are taken over its own block, by rows of a 2-D array, which
numpy sums exactly as the 1-D block alone. Elementwise mechanisms are the single
model's own functions (sim.model.experience, organisation, effort, contacts.update_open,
churn.hazards...), called on the stacked arrays; only the steps that draw random
numbers or reduce per firm are spelled out here, mirroring phases.py line by line.

Parameter sets of one shape batch together: the replications may differ in the values
of the parameters in PER_REPLICATION (each is built with its own parameters, and in
the week such a parameter is an array of R values, broadcast to the stacked arrays
where a mechanism uses it elementwise); every other parameter is shared. A value's
dtype is the one the single run's arithmetic gives it: where a Python float meets a
float32 array (NumPy's weak scalars, NEP 50) its array is float32, elsewhere float64.

What is batched: the OrganisationModel's own week (no extension schedule, state or
reporters) without scheduled events (``sim.model.batch.batchable``).
"""

from __future__ import annotations

import numpy as np

from . import churn, contacts, metrics, organisation
from .acquisition import PROMISE_PULL
from .contacts import DEPT, FAULT, N_DEPT, NEED_HOME, NEED_SHARE, PRIMARY, REPEAT, \
    SELF_SERVICEABLE, FAULT_HOME, Contacts, resolved_at_once
from .customers import ACTIVE, CHURNED, CUSTOMER_STATE, DETRACTOR, NEW_RELATIONSHIP, \
    PROMOTER, PROSPECT, Customers, accounts_per_owner, create_customers
from .effort import NEUTRAL, NEUTRAL_PROMISING, observe_and_adapt
from .events import EVENT_CAUSES
from .experience import update_relationship, update_satisfaction, weekly_experience
from .networks import CSR, build_customer_network
from .organisation import ACCOUNT_DEPT, EMPLOYEE_STATE, Employees, barrier_of
from .params import NEUTRAL_SATISFACTION
from .state import Attr, Context, attrs
from .streams import Streams
from .wom import TELL_ABOVE, TELL_BELOW

F32 = np.float32

# Parameters whose values may differ between the replications of one batch: floats each
# of whose uses in the week (below and in the mechanisms it calls) is elementwise, or a
# per-firm number, or only at creation. Every other parameter is part of the batch's
# shape (sim.model.batch.batch_key): sizes, networks, integers, switches, and floats
# used in a way that would not broadcast or would change the order of operations.
PER_REPLICATION = (
    # churn (float32 arithmetic with the customers' arrays)
    "churn_base", "churn_sat_sensitivity", "satisfaction_ref", "contagion_boost",
    "loyalty_protection", "wom_loyalty",
    # promises, acquisition, word of mouth
    "base_expectation", "marketing_promise", "sales_promise", "wom_reach", "wom_negative_ratio",
    # complaints, contacts, feedback
    "complaint_rate", "complaint_rate_b2b", "complaint_escalation", "self_service",
    "self_service_success", "repeat_rate", "cross_need", "fault_rate", "fault_rate_min",
    "fault_fix_rate",
    # the design levers that are floats
    "silo_barrier", "reward_mix", "mandate", "escalation", "info_scatter", "shared_record",
    # used only when the firm is built
    "switching_cost", "value_mean", "b2b_share", "key_person_share", "key_person_weight",
)
# ... of them, those the churn hazards combine with float32 arrays
_CHURN_F32 = ("churn_base", "churn_sat_sensitivity", "satisfaction_ref", "contagion_boost",
              "loyalty_protection", "wom_loyalty")


class _Given:
    """A stand-in generator for a function that draws once: returns draws made already."""

    def __init__(self, values: np.ndarray):
        self.values = values

    def random(self, n, dtype=None):
        assert n == len(self.values)
        return self.values


class Segments:
    """Sums over fixed or given segments of a 1-D array, exactly as numpy sums each
    segment alone: segments of one length are gathered into the rows of a 2-D array
    and summed along the rows."""

    def __init__(self, starts: np.ndarray, lengths: np.ndarray):
        self.k = len(starts)
        self.lengths = lengths
        self.groups = []
        for L in np.unique(lengths):
            rows = np.flatnonzero(lengths == L)
            if L > 0:
                self.groups.append((rows, starts[rows][:, None] + np.arange(L)))

    def sum(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros(self.k, dtype=x.dtype)
        for rows, idx in self.groups:
            out[rows] = x[idx].sum(axis=1)
        return out

    def mean(self, x: np.ndarray, empty: float = 0.0) -> np.ndarray:
        n = self.lengths
        return np.where(n > 0, self.sum(x) / np.maximum(n, 1), empty)


class Replicas:
    """R replications of one shape, in one stacked state (see the module doc):
    ``params`` one parameter set for all, or one per seed differing only in the values
    of PER_REPLICATION."""

    def __init__(self, params: dict | list[dict], seeds: list[int]):
        self.R = R = len(seeds)
        plist = [params] * R if isinstance(params, dict) else list(params)
        if len(plist) != R:
            raise ValueError(f"Replicas: {len(plist)} parameter sets but {R} seeds")
        first = plist[0]
        shared = {k: v for k, v in first.items() if k not in PER_REPLICATION}
        for q in plist[1:]:
            if {k: v for k, v in q.items() if k not in PER_REPLICATION} != shared \
                    or q.keys() != first.keys():
                raise ValueError("Replicas: parameter sets differ beyond PER_REPLICATION")
        # the week reads a shared parameter from self.params and a per-replication one
        # from self.v (R values; an omission fails loudly, with a KeyError)
        self.params = p = shared
        self.v = {k: np.array([q[k] for q in plist], dtype=np.float64)
                  for k in PER_REPLICATION if k in first}
        # ... as the single run's float32 arithmetic has them (a Python float is weak)
        self.v32 = {k: self.v[k].astype(np.result_type(first[k], F32)) for k in _CHURN_F32}
        # ... one value where all replications share it (R seeds of one scenario)
        self.one = {k: (v[0] if np.all(v == v[0]) else None) for k, v in self.v.items()}
        self.one32 = {k: (v[0] if np.all(v == v[0]) else None) for k, v in self.v32.items()}
        self.gens = [np.random.default_rng(s) for s in seeds]
        self.N = N = p["n_customers"] + p["n_prospects"]
        orgs, nets, custs = [], [], []
        emp_drawn, cust_drawn = _drawn(EMPLOYEE_STATE), _drawn(CUSTOMER_STATE)
        for q, g in zip(plist, self.gens):  # the single model's creation, in its order
            org = organisation.create_employees(q, g, emp_drawn, graph=False)
            net = build_customer_network(N, q, g)
            orgs.append(org)
            nets.append(net)
            custs.append(create_customers(q, org, g, cust_drawn))
        self.E = E = orgs[0].n
        self.ok = (all(o.n == E and len(o.u) for o in orgs) and all(len(n.indices) for n in nets)
                   and all(c.n == N for c in custs))
        if not self.ok:
            return
        self.org = emp = Employees(EMPLOYEE_STATE, _stacked(EMPLOYEE_STATE, orgs, R * E))
        emp.graph = None
        emp.u = np.concatenate([o.u + r * E for r, o in enumerate(orgs)])
        emp.v = np.concatenate([o.v + r * E for r, o in enumerate(orgs)])
        emp.access = np.concatenate([o.access for o in orgs])
        emp.bridge_ties = np.concatenate([o.bridge_ties for o in orgs])
        emp.cross_ties = np.concatenate([o.cross_ties for o in orgs])
        carr = _stacked(CUSTOMER_STATE, custs, R * N)
        carr["owner"] = np.concatenate([np.where(c.owner >= 0, c.owner + r * E, c.owner)
                                        for r, c in enumerate(custs)])
        self.cust = Customers(CUSTOMER_STATE, carr)
        self.network = _block_diagonal([n.indptr for n in nets], [n.indices for n in nets], N)
        # departments are fixed (no events): segments per (replication, department)
        self.block_starts = np.arange(R + 1) * N
        self.rep_e = np.repeat(np.arange(R), E)
        pool = self.rep_e * N_DEPT + emp.dept
        self.by_pool = np.argsort(pool, kind="stable")
        self.pool_bounds = np.searchsorted(pool[self.by_pool], np.arange(R * N_DEPT + 1))
        # departments are sorted within a firm (assign_departments): contiguous segments
        self.ok = bool(np.array_equal(self.by_pool, np.arange(R * E)))
        self.dept_seg = Segments(self.pool_bounds[:-1], np.diff(self.pool_bounds))
        sellers = [np.flatnonzero(o.dept == ACCOUNT_DEPT) + r * E for r, o in enumerate(orgs)]
        self.seller_seg = Segments(np.array([s[0] if len(s) else 0 for s in sellers]),
                                   np.array([len(s) for s in sellers]))
        width = max(1, max(len(s) for s in sellers))
        self.seller_pad = np.zeros((R, width + 1), np.int64)  # key persons are fixed (no events)
        self.seller_cdf = np.full((R, width), np.inf)
        for r, s in enumerate(sellers):
            if len(s):
                w = np.where(emp.key_person[s], plist[r]["key_person_weight"], 1.0)
                self.seller_pad[r, :len(s)] = s
                self.seller_cdf[r, :len(s)] = np.cumsum(w) / w.sum()
        self.neutral_ref = NEUTRAL[emp.dept, 0].reshape(R, E).sum(axis=1)
        self.streams = Streams(self.gens)  # from here on, the draws go through it
        # the compare of faults is in float32 when the fault rate is a Python float
        self.fault_dtype = np.result_type(first["fault_rate"], F32)
        self.fault_rate = self.v["fault_rate"].copy()
        self.record = self.v["shared_record"].copy()
        # the per-employee mechanisms' parameters: per-replication values repeated over
        # each replication's employees
        self.p_emp = {**p, **{k: np.repeat(v, E) for k, v in self.v.items()}}
        self.t = 0
        self.n_causes = len(churn.CAUSES) + len(EVENT_CAUSES)
        self.rows: list[dict[str, np.ndarray]] = []
        self.serving_capacity = organisation.serving_capacity(emp, self.p_emp)
        z, zf = np.zeros(R, np.int64), np.zeros(R)
        self.collect(dict(by_cause=np.zeros((R, self.n_causes), np.int64), ct=None,
                          acq_mkt=z, acq_wom=z, utilisation=zf, wom_neg=z, wom_pos=z,
                          leavers=z, knowledge_lost=zf, feedback_reached=zf,
                          management_load=zf))

    def each(self, name: str, rep: np.ndarray, table: dict | None = None):
        """A per-replication parameter's value for entries of replications ``rep``: an
        array, or one value (of the array's dtype: the same arithmetic) where all
        replications share it."""
        one = (self.one if table is None else self.one32)[name]
        if one is not None:
            return one
        return (self.v if table is None else table)[name][rep]

    # --- draws, one generator per replication -------------------------------------------
    def counts(self, idx: np.ndarray) -> np.ndarray:
        """Entries of a replication-sorted array of customer indices in each replication."""
        return np.diff(np.searchsorted(idx, self.block_starts))

    def draw(self, method: str, counts: np.ndarray, *args) -> np.ndarray:
        """``generator.method(*args, size=k)`` of each replication, concatenated (through
        sim.model.streams); an argument that is an array is one value per replication."""
        if method == "integers":
            return self.streams.integers(*args, counts)
        return self.streams.native(method, counts, *args)

    def random(self, counts: np.ndarray, dtype=np.float64) -> np.ndarray:
        """``generator.random(k, dtype)`` of each replication, concatenated."""
        if dtype == F32:
            return self.streams.floats(counts)
        return self.streams.random(counts)

    def parts(self, sizes: np.ndarray, method: str = "random") -> list[np.ndarray]:
        """Consecutive draws ``random(sizes[r, 0])``, ``random(sizes[r, 1])``... of each
        replication made as one draw of their sum (the same numbers), returned per column
        as replication-sorted arrays; ``method``: "random" (doubles) or "standard_normal"."""
        total = sizes.sum(axis=1)
        u = (self.streams.random(total) if method == "random" else
             self.streams.native(method, total))
        start = (np.cumsum(total) - total)[:, None] + np.cumsum(sizes, axis=1) - sizes
        out = []
        for j in range(sizes.shape[1]):
            n = sizes[:, j]
            end = np.cumsum(n)
            out.append(u[np.repeat(start[:, j] - (end - n), n) + np.arange(end[-1])])
        return out

    def per_rep(self, mask: np.ndarray) -> np.ndarray:
        """True entries of a mask over all customers, in each replication (int64)."""
        blocks = mask.reshape(self.R, -1).view(np.int8)
        if blocks.shape[1] < 2**15:  # int16 sums are the fast ones, and cannot overflow here
            return blocks.sum(axis=1, dtype=np.int16).astype(np.int64)
        return blocks.sum(axis=1, dtype=np.int64)

    def by_rep(self, n: np.ndarray) -> np.ndarray:
        """Replication labels of a replication-sorted array with ``n`` entries in each."""
        return np.repeat(np.arange(self.R), n)

    # --- the week (mirrors sim.model.phases) --------------------------------------------
    def step(self) -> None:
        self.t += 1
        self.streams.tick()
        t, c, emp, p, R, N, E = self.t, self.cust, self.org, self.params, self.R, self.N, self.E
        wk = {}
        # faults
        is_active = self._active  # status changes in churn and acquisition only (which
        # keep self._active up to date; nothing reads is_active after them)
        active = np.flatnonzero(is_active)
        n_a = self.counts(active)
        rep_a = self.by_rep(n_a)
        faulty = active[self.random(n_a, F32) < np.repeat(self.fault_rate.astype(self.fault_dtype),
                                                           n_a)]
        rep_f = faulty // N
        rate = np.where(c.b2b[faulty], self.each("complaint_rate_b2b", rep_f),
                        self.each("complaint_rate", rep_f))
        raised = self.random(self.counts(faulty)) < rate
        silent = faulty[~raised]
        # contacts
        ct, rep_c, n_c = self._generate(active, n_a, faulty[raised], t)
        self._route(ct, n_c)
        serve = self._assign(ct, rep_c, n_c)
        self.serving_capacity = serve
        self._resolve(ct, rep_c, n_c)
        mgmt_cap = p["managers"] / 100.0 * E * p["management_capacity"]
        used = self._take_to_management(ct, rep_c, mgmt_cap)
        contacts.update_open(ct, c, t)
        load = np.divide(emp.load, serve, out=np.zeros(emp.n), where=serve > 0)
        wk["utilisation"] = (emp.used.reshape(R, E).sum(axis=1)
                             / np.maximum(serve.reshape(R, E).sum(axis=1), 1e-9))
        # feedback; its draw and the silent problems' (the next draw) are made as one
        heard = ct.handled & ((ct.kind == FAULT) | ~ct.resolved) & ~ct.escalated
        living = np.flatnonzero(c.silent_problem)
        u_heard, u_living = self.parts(np.stack(
            [np.bincount(rep_c[heard], minlength=R), self.counts(living)], axis=1))
        wk["feedback_reached"], acted = self._escalate(ct, rep_c, heard, u_heard,
                                                       self.counts(silent), mgmt_cap - used)
        used = used + acted
        wk["management_load"] = used / mgmt_cap if mgmt_cap > 0 else np.zeros(R)
        # experience
        x, had_contact = weekly_experience(c, ct, faulty, p, t)
        promise = self.promise()
        appraisal = update_satisfaction(c, is_active, x, had_contact, p,
                                        np.repeat(promise.astype(F32), N))  # its precision
        update_relationship(c, is_active, emp, p, self._accounts)
        # silent problems
        over = u_living < 1.0 / p["silent_problem_weeks"]
        c.silent_problem[living[over]] = False
        c.silent_problem[silent] = True
        # word of mouth
        notable = is_active & had_contact
        notable[faulty] = True
        c.wom *= np.exp(-1.0 / p["wom_memory"])
        reach = self.v["wom_reach"]
        told = np.flatnonzero(notable)  # few: the tellers are picked from them
        mood = appraisal[told]
        wk["wom_neg"] = self._spread(told[mood < TELL_BELOW], -1.0,
                                     reach * self.v["wom_negative_ratio"])
        wk["wom_pos"] = self._spread(told[mood > TELL_ABOVE], 1.0, reach)
        # churn
        wk["by_cause"] = self._churn(active, n_a, rep_a, t)
        # acquisition
        wk["acq_mkt"], wk["acq_wom"] = self._acquire()
        # effort
        wk["prospects"] = prospects = self._prospects
        if p["effort_adapt"] > 0:
            left = (np.minimum(prospects / p["n_prospects"], 2.0) if p["n_prospects"]
                    else np.zeros(R))
            mine = ct.handled & (ct.employee >= 0)
            handled = np.bincount(ct.employee[mine], minlength=emp.n)
            resolved = np.bincount(ct.employee[mine & ct.resolved], minlength=emp.n)
            observe_and_adapt(emp, self.p_emp, np.repeat(left, E), resolved, handled)
        # workforce
        organisation.learn(emp, self.p_emp)
        organisation.update_engagement(emp, self.p_emp, load)
        wk["leavers"], wk["knowledge_lost"] = self._turnover(ct, rep_c, n_c)
        # tenure
        np.add(c.tenure, self._active, out=c.tenure)  # + 1 for the active, + 0 (exact) else
        emp.tenure += 1.0
        wk["ct"] = (ct, rep_c, n_c)
        self.collect(wk)

    def _generate(self, active, n_a, complained, t):
        c, p, N = self.cust, self.params, self.N
        needy = active[self.random(n_a, F32) < p["need_rate"]]
        n_n = self.counts(needy)
        u_kind, u_self, u_ok = self.parts(np.stack([n_n, n_n, n_n], axis=1))
        rep_n = self.by_rep(n_n)
        kind = np.searchsorted(np.cumsum(NEED_SHARE), u_kind)
        kind = np.minimum(kind, len(NEED_SHARE) - 1)
        tries_self = SELF_SERVICEABLE[kind] & (u_self < self.each("self_service", rep_n))
        self_ok = tries_self & (u_ok < self.each("self_service_success", rep_n))
        needy, kind = needy[~self_ok], kind[~self_ok]
        pending = np.flatnonzero(c.open_contact)
        u_rep, u_home, u_fault = self.parts(np.stack(
            [self.counts(pending), self.counts(needy), self.counts(complained)], axis=1))
        repeats = pending[u_rep < self.each("repeat_rate", pending // N)]
        customer = np.concatenate([needy, complained, repeats])
        ckind = np.concatenate([np.full(len(needy), PRIMARY), np.full(len(complained), FAULT),
                                np.full(len(repeats), REPEAT)]).astype(np.int8)
        home = np.concatenate([
            contacts._draw_rows(NEED_HOME, kind, _Given(u_home)),
            contacts._draw_rows(FAULT_HOME[None, :], np.zeros(len(complained), np.int64),
                                _Given(u_fault)),
            c.open_dept[repeats].astype(np.int64),
        ])
        order = np.argsort(customer // N, kind="stable")  # each replication's contacts together
        customer, ckind, home = customer[order], ckind[order], home[order]
        waited = np.where(ckind == REPEAT, t - c.open_since[customer], 0).astype(np.float64)
        m = len(customer)
        z = np.zeros(m, dtype=bool)
        ct = Contacts(customer, ckind, home, home.copy(), np.full(m, -1, np.int64),
                      z, z.copy(), z.copy(), z.copy(), waited, np.zeros(m), z.copy(), z.copy())
        n_c = self.counts(customer)
        return ct, self.by_rep(n_c), n_c

    def _route(self, ct, n_c):
        c = self.cust
        scatter = np.where(ct.kind == REPEAT, 0.5, 1.0) * self.each("info_scatter", ct.customer // self.N)
        wrong = self.random(n_c) < scatter
        shift = self.draw("integers", n_c, 1, N_DEPT)
        ct.land = np.where(wrong, (ct.home + shift) % N_DEPT, ct.home)
        to_owner = (ct.home == DEPT["sales"]) & (c.owner[ct.customer] >= 0) & ~wrong
        ct.employee = np.where(to_owner, c.owner[ct.customer], -1)

    def _assign(self, ct, rep_c, n_c):
        emp, p = self.org, self.params
        serve = organisation.serving_capacity(emp, self.p_emp)
        bounds = self.pool_bounds
        R = self.R
        todo = np.flatnonzero(ct.employee < 0)
        d = rep_c[todo] * N_DEPT + ct.land[todo]
        size = bounds[d + 1] - bounds[d]
        staffed = size > 0
        # who gets a contact does not depend on the draw: the three draws (pick and the
        # two queues) have known sizes and are made as one
        reached = ct.employee >= 0
        reached[todo[staffed]] = True
        purchase = (ct.home == DEPT["sales"]) & (ct.land == DEPT["sales"]) & reached
        rest = reached & ~purchase
        u_pick, u_buy, u_rest = self.parts(np.stack(
            [np.bincount(rep_c[todo], minlength=R), np.bincount(rep_c[purchase], minlength=R),
             np.bincount(rep_c[rest], minlength=R)], axis=1))
        pick = bounds[d] + (u_pick * size).astype(np.int64)
        ct.employee[todo[staffed]] = self.by_pool[pick[staffed]]
        sell = organisation.selling_capacity(emp, self.p_emp)
        ct.handled = _queue(ct.employee, purchase, sell + serve, u_buy)
        bought = np.bincount(ct.employee[ct.handled], minlength=emp.n)
        left = np.maximum(serve - np.maximum(bought - sell, 0.0), 0.0)
        ct.handled |= _queue(ct.employee, rest, left, u_rest)
        emp.used[:] = np.bincount(ct.employee[ct.handled & ~purchase], minlength=emp.n)
        emp.load[:] = np.bincount(ct.employee[rest], minlength=emp.n)
        return serve

    def _resolve(self, ct, rep_c, n_c):
        emp, p = self.org, self.params
        e = np.where(ct.employee >= 0, ct.employee, rep_c * self.E)  # a replication's slot 0
        second = self.draw("integers", n_c, 1, N_DEPT)
        u_need, u_spot, u_through, u_ok = self.parts(np.stack([n_c] * 4, axis=1))
        needs_other = (ct.land != ct.home) | (u_need < self.each("cross_need", rep_c))
        target = np.where(ct.land != ct.home, ct.home, (ct.land + second) % N_DEPT)
        on_spot = needs_other & (u_spot < self.each("mandate", rep_c))
        ct.handoff = ct.handled & needs_other & ~on_spot
        p_through = 1.0 - barrier_of(emp, self.p_emp)[e] * (1.0 - emp.access[e, target])
        ct.handoff_ok = ct.handoff & (u_through < p_through)
        dept_skill = self.dept_seg.mean(emp.skill)  # (replication, department), flat
        p_ok = np.where(~needs_other, emp.skill[e],
                        np.where(on_spot, 0.5 + 0.5 * emp.knowledge[e],
                                 dept_skill[rep_c * N_DEPT + target]))
        ct.resolved = ct.handled & (~ct.handoff | ct.handoff_ok) & (u_ok < p_ok)
        ct.mandated = ct.resolved & on_spot & ct.handled
        q = np.where(ct.resolved, np.where(ct.handoff, contacts.Q_HANDED_OFF, contacts.Q_RESOLVED),
                     np.where(ct.handled, contacts.Q_UNRESOLVED, contacts.Q_NOT_REACHED))
        ct.quality = np.clip(q - contacts.WAIT_PENALTY * ct.waited, 0.0, 1.0)

    def _take_to_management(self, ct, rep_c, capacity):
        esc = (ct.kind == REPEAT) & ~ct.resolved
        idx = np.flatnonzero(esc)
        idx = idx[self.random(np.bincount(rep_c[idx], minlength=self.R))
                  < self.each("complaint_escalation", rep_c[idx])]
        n = np.bincount(rep_c[idx], minlength=self.R)
        if np.any(n > capacity):
            starts = np.cumsum(n) - n
            idx = np.concatenate([
                self.streams.numpy_call(r, "permutation", idx[s:s + k])[:int(capacity)]
                if k > capacity
                else idx[s:s + k] for r, (s, k) in enumerate(zip(starts.tolist(), n.tolist()))])
            n = np.minimum(n, int(capacity))
        ct.escalated[idx] = True
        ct.resolved[idx] = True
        ct.quality[idx] = np.clip(contacts.Q_HANDED_OFF - contacts.WAIT_PENALTY * ct.waited[idx],
                                  0.0, 1.0)
        return n

    def _escalate(self, ct, rep_c, heard, u, unraised, capacity):
        from .feedback import reach_probability

        p, R = self.params, self.R
        n_up = np.bincount(rep_c[ct.escalated], minlength=R)
        rep_h = rep_c[heard]
        pr = reach_probability(self.org, ct.employee[heard],
                               {**self.p_emp, "escalation": self.each("escalation", rep_h)})
        n_h = np.bincount(rep_h, minlength=R)
        reached = np.bincount(rep_h[u < pr], minlength=R)
        over = reached > capacity
        reached = np.where(over, np.floor(np.maximum(capacity, 0)).astype(np.int64), reached)
        acts = (n_h > 0) | (n_up > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(acts, (reached + n_up) / (n_h + n_up + unraised), 0.0)
        gap = self.fault_rate - self.v["fault_rate_min"]
        self.fault_rate = np.where(
            acts, self.fault_rate - self.v["fault_fix_rate"] * share * np.maximum(gap, 0.0),
            self.fault_rate)
        return share, np.where(acts, reached, 0)

    def promise(self) -> np.ndarray:
        """customers.promise_level of each replication."""
        v = self.v
        share = self.seller_seg.mean(self.org.promising, NEUTRAL_PROMISING)
        return np.minimum(1.0, v["base_expectation"] + v["marketing_promise"]
                          + v["sales_promise"] * share)

    def _spread(self, tellers, sign, mean_reach):
        c, p, N, R = self.cust, self.params, self.N, self.R
        amp = p["social_amplification"]
        n_t = self.counts(tellers)
        counts = self.draw("poisson", n_t, mean_reach * amp)
        # the tellers are replication-sorted: each replication's sum is a run's
        runs = np.concatenate(([0], np.cumsum(n_t)))
        total = np.diff(np.concatenate(([0], np.cumsum(counts)))[runs])
        if not total.any():
            return total
        senders = np.repeat(tellers, counts)
        listeners = self.network.random_neighbours(senders, _Given(self.random(total, F32)))
        far = (self.random(total) >= 1.0 / amp) | (listeners < 0)  # amp: shared
        rep_far = senders[far] // N
        listeners[far] = (self.draw("integers", np.bincount(rep_far, minlength=R), 0, N)
                          + rep_far * N)
        listeners = listeners[listeners != senders]
        np.add.at(c.wom, listeners, c.wom.dtype.type(sign * p["wom_weight"]))
        c.wom[listeners] = np.clip(c.wom[listeners], -1.0, 1.0)
        return total

    def _churn(self, active, n_a, rep_a, t):
        c, p, R = self.cust, self.params, self.R
        per = {k: self.each(k, rep_a, self.v32) for k in self.v32}  # per active customer
        parts = churn.hazards(c, active, {**p, **per}, None, (None,) * len(EVENT_CAUSES))
        total, p_leave = churn.leaving(parts)
        leave = np.flatnonzero(self.random(n_a, F32) < p_leave)
        who, rep_w = active[leave], rep_a[leave]
        hw = np.stack([np.broadcast_to(h, total.shape)[leave] for h in parts], axis=1)
        cdf = np.cumsum(hw, axis=1) / np.maximum(total[leave], 1e-30)[:, None]
        u = self.random(np.bincount(rep_w, minlength=R))
        cause = np.minimum((cdf < u[:, None]).sum(axis=1), len(parts) - 1)
        self._accounts -= self._owned(who)
        c.status[who] = CHURNED
        self._active[who] = False  # kept as c.status == ACTIVE
        c.cause[who] = cause
        c.churn_step[who] = t
        c.churn(who, Context(len(who), p, None))
        c.exposure *= np.exp(-1.0 / p["contagion_memory"])
        if len(who):
            _, nbrs = self.network.neighbours_of(who)
            c.exposure[nbrs] = 1.0
        k = len(parts)
        return np.bincount(rep_w * k + cause, minlength=R * k).reshape(R, k)

    def _acquire(self):
        c, emp, p, R = self.cust, self.org, self.params, self.R
        pros = self._pros
        n_p = self.counts(pros)
        promise = self.promise()
        ref = self.neutral_ref
        effort = np.where(ref != 0, emp.sell.reshape(R, self.E).sum(axis=1)
                          / np.where(ref != 0, ref, 1.0), 0.0)
        h_mkt = p["marketing_rate"] * effort * (1.0 + PROMISE_PULL
                                                * (promise - self.v["base_expectation"]))
        h_mkt = h_mkt.astype(F32)  # the single run adds a float to float32 arrays
        w = c.wom[pros]
        h_wom = p["wom_conversion"] * np.maximum(w, 0.0)
        total = np.repeat(h_mkt, n_p)  # + h_wom, in place where that is the same dtype
        total = np.add(total, h_wom, out=total if h_wom.dtype == total.dtype else None)
        neg = np.flatnonzero(w < 0)
        total[neg] *= np.exp(p["wom_deterrence"] * w[neg])
        # 1 - exp(-total) in float32, in place (total is not needed after)
        q = total.astype(np.float32, copy=False)
        np.subtract(1.0, np.exp(np.negative(q, out=q), out=q), out=q)
        join = self.random(n_p, F32) < q
        new = pros[join]
        rep_n = new // self.N
        n_new = np.bincount(rep_n, minlength=R)
        self._pros = pros[~join]  # prospects only join: none churns (no events)
        self._prospects = n_p - n_new
        hm, hw = h_mkt[rep_n], h_wom[join]
        by_wom = self.random(n_new) < hw / np.maximum(hm + hw, 1e-300)
        c.status[new] = ACTIVE
        self._active[new] = True
        # on_acquire of CUSTOMER_STATE, in declaration order
        # the two normal draws as one: normal(loc, scale) is loc + scale x standard_normal
        z_exp, z_sat = self.parts(np.stack([n_new, n_new], axis=1), "standard_normal")
        c.expectation[new] = np.clip(promise[rep_n] + (0.0 + 0.05 * z_exp), 0, 1)
        c.satisfaction[new] = np.clip(NEUTRAL_SATISFACTION + 0.05 * z_sat, 0, 1)
        c.relationship[new] = NEW_RELATIONSHIP
        c.tenure[new] = 0.0
        # the owners' draw and the turnover's (the next draw) are made as one
        has_sellers = self.seller_seg.lengths > 0
        u_own, self._u_turnover = self.parts(np.stack(
            [np.where(has_sellers, n_new, 0), np.full(R, self.E)], axis=1))
        c.owner[new] = self._owners(rep_n, u_own, has_sellers[rep_n])
        self._accounts += self._owned(new)
        mkt = np.bincount(rep_n[~by_wom], minlength=R)
        return mkt, n_new - mkt

    def _owned(self, who):
        """Accounts of customers ``who`` per employee (as accounts_per_owner)."""
        return np.bincount(self.cust.owner[who] + 1, minlength=self.org.n + 1)[1:]

    def _owners(self, rep_n, u, has_sellers):
        """customers.draw_owners for each replication's new customers (draws ``u``)."""
        out = np.full(len(rep_n), -1, dtype=np.int64)
        r = rep_n[has_sellers]
        k = (self.seller_cdf[r] < u[:, None]).sum(axis=1)  # np.searchsorted, side left
        out[has_sellers] = self.seller_pad[r, k]
        return out

    def _turnover(self, ct, rep_c, n_c):
        emp, c, p, R, E = self.org, self.cust, self.params, self.R, self.E
        hazard = p["turnover_rate"] * (1.5 - emp.engagement)
        leavers = np.flatnonzero(self._u_turnover < hazard)
        n_l = np.bincount(leavers // E, minlength=R)
        lost = np.zeros(R)
        if len(leavers):
            barrier = self.v["silo_barrier"][leavers // E]
            hire_knowledge = 0.1 * (1.0 - barrier)
            seg = Segments(np.cumsum(n_l) - n_l, n_l)
            lost = np.where(n_l > 0,
                            seg.sum(np.maximum(emp.skill[leavers] - p["new_hire_skill"], 0))
                            + seg.sum(np.maximum(emp.knowledge[leavers] - hire_knowledge, 0)),
                            0.0)
            organisation.replace_employees(emp, leavers, {**p, "silo_barrier": barrier})
        lost = lost + 0.0  # events' knowledge lost: none
        kept = 1.0 - _unanswered(ct, rep_c, n_c, R)
        self.record = self.record + p["record_decay"] * (self.v["shared_record"] * kept
                                                         - self.record)
        if len(leavers):
            gone = np.zeros(R * E + 1, dtype=bool)  # the last entry: no owner (-1)
            gone[leavers] = True
            hit = np.flatnonzero(gone[c.owner])
            factor = (1.0 - p["relationship_loss"] * (1.0 - self.record)).astype(F32)
            c.relationship[hit] *= factor[hit // self.N]
        return n_l, lost

    # --- outputs (mirrors metrics.row) -------------------------------------------------
    def collect(self, wk: dict) -> None:
        """One week's row of every replication: column -> array of R."""
        c, emp, p, R, N = self.cust, self.org, self.params, self.R, self.N
        if self.t == 0:
            self._active = c.status == ACTIVE
            # active accounts per employee: kept up to date as customers leave and join
            # (owners change only when a customer joins: no events)
            self._accounts = accounts_per_owner(c, emp.n, self._active)
            self.n_initial = self.per_rep(c.initial)  # fixed: no events, no mergers
            self._pros = np.flatnonzero(c.status == PROSPECT)  # kept up to date by _acquire
        active = self._active
        n_active = self.per_rep(active)
        weight = active.astype(c.satisfaction.dtype)
        has = n_active > 0
        safe = np.maximum(n_active, 1)

        def active_mean(x):
            return np.where(has, (x * weight).reshape(R, N).sum(axis=1).astype(np.float64) / safe,
                            0.0)

        def share(num, den):
            return np.where(den != 0, np.asarray(num, np.float64) / np.where(den != 0, den, 1), 0.0)

        by_cause = wk["by_cause"]
        acquired = wk["acq_mkt"] + wk["acq_wom"]
        out = dict(step=np.full(R, self.t), active_customers=n_active,
                   prospects=(wk["prospects"] if "prospects" in wk
                              else self.per_rep(c.status == PROSPECT)),
                   acquired=acquired, acquired_marketing=wk["acq_mkt"],
                   acquired_wom=wk["acq_wom"], churned=by_cause.sum(axis=1))
        causes = churn.CAUSES + EVENT_CAUSES
        out.update({f"churn_{k}": by_cause[:, i] for i, k in enumerate(causes)})
        promoters = self.per_rep(active & (c.satisfaction >= PROMOTER))
        detractors = self.per_rep(active & (c.satisfaction < DETRACTOR))
        out.update(
            retention=share(self.per_rep(c.initial & active), self.n_initial),
            mean_satisfaction=active_mean(c.satisfaction),
            nps=100.0 * share(promoters - detractors, n_active),
            mean_expectation=active_mean(c.expectation),
            mean_relationship=active_mean(c.relationship),
            revenue=active_mean(c.value) * n_active,
        )
        out.update(_contact_metrics(wk["ct"], R, share))
        staff = p["staff_cost"] * metrics.headcount(self.E, p)
        out["staff_cost"] = np.full(R, staff)
        out["profit"] = (p["gross_margin"] * out["revenue"]
                         - p["contact_cost"] * out["contacts"]
                         - p["acquisition_cost"] * out["acquired"]
                         - out["staff_cost"]
                         - p["goodwill_cost"] * out["mandate_resolutions"]
                         - p["record_cost"] * self.v["shared_record"] * n_active)
        out["silent_problems"] = self.per_rep(c.silent_problem)
        out.update(
            utilisation=wk["utilisation"], wom_negative=wk["wom_neg"],
            wom_positive=wk["wom_pos"], employees=np.full(R, self.E),
            employee_turnover=wk["leavers"], knowledge_lost=wk["knowledge_lost"],
            product_fault_rate=self.fault_rate, feedback_reached=wk["feedback_reached"],
            management_load=wk["management_load"],
            selling_share=share(self.seller_seg.sum(emp.sell), self.seller_seg.lengths),
            overselling=self.seller_seg.mean(emp.promising, NEUTRAL_PROMISING),
            record_quality=self.record,
        )
        self.rows.append(out)

    def columns(self) -> dict[str, np.ndarray]:
        """Every collected column as an array of (weeks + 1, R)."""
        names = metrics.columns(churn.CAUSES + EVENT_CAUSES)
        return {k: np.stack([row[k] for row in self.rows]) for k in names}


def _drawn(schema: tuple) -> tuple:
    """A schema without its attributes of constant initial value: they draw nothing, so
    each replication's creation without them draws the same numbers (_stacked fills them)."""
    return tuple(a for a in schema if not isinstance(a, Attr) or callable(a.init))


def _stacked(schema: tuple, pops: list, n: int) -> dict[str, np.ndarray]:
    """Each attribute of the schema over the populations one after another (``n`` in all):
    the drawn ones concatenated, the constant ones filled at once."""
    return {a.name: (np.concatenate([getattr(p, a.name) for p in pops]) if callable(a.init)
                     else np.full(n, a.init, dtype=a.dtype)) for a in attrs(schema)}


def _block_diagonal(indptrs: list, indices: list, n: int) -> CSR:
    """The CSR of graphs of ``n`` nodes each (rows ``indptrs``, columns ``indices``) as
    the blocks of one: block r's labels offset by r x n, each offset and cast in one
    pass into its slice of the stacked arrays."""
    R = len(indptrs)
    edges = np.zeros(R + 1, np.int64)
    np.cumsum([len(i) for i in indices], out=edges[1:])
    indptr = np.empty(R * n + 1, np.int64)
    out = np.empty(edges[-1], np.int32 if R * n < 2**31 - 1 else np.int64)
    for r in range(R):
        np.add(indptrs[r][:-1], edges[r], out=indptr[r * n:(r + 1) * n], dtype=np.int64)
        np.add(indices[r], r * n, out=out[edges[r]:edges[r + 1]], dtype=out.dtype)
    indptr[-1] = edges[-1]
    return CSR(indptr, out)


def _queue(employee, member, slots, u):
    """contacts._queue with its draw ``u`` made already."""
    idx = np.flatnonzero(member)
    e = employee[idx]
    load = np.bincount(e, minlength=len(slots))
    pr = np.minimum(1.0, slots / np.maximum(load, 1))
    taken = np.zeros(len(employee), dtype=bool)
    taken[idx] = u < pr[e]
    return taken


def _unanswered(ct, rep_c, n_c, R):
    if ct is None:
        return np.zeros(R)
    num = np.bincount(rep_c[~ct.handled & ~ct.escalated], minlength=R)
    return np.where(n_c > 0, num / np.maximum(n_c, 1), 0.0)


def _contact_metrics(cts, R, share):
    """metrics.contact_metrics of each replication."""
    zero_i, zero_f = np.zeros(R, np.int64), np.zeros(R)
    if cts is None:
        return dict(contacts=zero_i, failure_demand_share=zero_f, first_contact_resolution=zero_f,
                    handoffs=zero_i, handoff_success=zero_f, mean_wait=zero_f,
                    unanswered=zero_f, escalated=zero_i, mandate_resolutions=zero_i)
    ct, rep_c, n_c = cts

    def count(mask):
        return np.bincount(rep_c[mask], minlength=R)

    primary = ct.kind == PRIMARY
    handoffs = count(ct.handoff)
    # waits are whole weeks: their sums are exact in any order
    wait = np.bincount(rep_c, weights=ct.waited, minlength=R)
    has = n_c > 0
    return dict(
        contacts=n_c,
        failure_demand_share=share(count((ct.kind == REPEAT) | (ct.kind == FAULT)), n_c),
        first_contact_resolution=share(count(primary & resolved_at_once(ct)), count(primary)),
        handoffs=handoffs,
        handoff_success=share(count(ct.handoff_ok), handoffs),
        mean_wait=np.where(has, wait / np.maximum(n_c, 1), 0.0),
        unanswered=_unanswered(ct, rep_c, n_c, R),
        escalated=np.where(has, count(ct.escalated), 0),
        mandate_resolutions=np.where(has, count(ct.mandated), 0),
    )

"""The people of the load test, for locust (run by `python -m bench.load`, not on its own).

LOAD_PLAN names the run's plan (bench/load/setup.py), LOAD_SAMPLES the file every request's time is written to,
LOAD_HOSTS the app servers (comma-separated; each person uses one, in turn). Staff and company users log in once
and then move between their pages with think time; the RSVP clients of the burst answer the public links of the
plan, each link once, and stop the run when none is left.
"""

import itertools
import json
import os
import random
import re
import time

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115, PTH123  (read once at start)
HOSTS = os.environ["LOAD_HOSTS"].split(",")
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token" value="([^"]+)"')
RSVP_FORM = re.compile(r'action="/portal/invitations/(\d+)/rsvp"')
CONTACT_FIELD = re.compile(r'name="contact_id" value="(\d+)"')
SAMPLES = []
_staff = itertools.count()
_companies = itertools.count()
_hosts = itertools.count()
_links = list(reversed(PLAN["burst"]))
_in_flight = 0
#: Arrivals evenly spaced at this many a second (LOAD_ARRIVAL_RATE); unset, people start as locust spawns them,
#: which is a batch of `--spawn-rate` at once each second.
ARRIVAL_RATE = float(os.environ.get("LOAD_ARRIVAL_RATE") or 0)
_arrivals = itertools.count()
_first_arrival = []


@events.request.add_listener
def _note(request_type, name, response_time, response_length, exception, response, **kwargs):
    status = getattr(response, "status_code", None)
    SAMPLES.append([name, round(response_time, 2), exception is not None, status, time.time()])


@events.quitting.add_listener
def _write_samples(environment, **kwargs):
    with open(os.environ["LOAD_SAMPLES"], "w") as out:  # noqa: PTH123
        json.dump(SAMPLES, out)


class Person(HttpUser):
    abstract = True
    host = HOSTS[0]

    def on_start(self):
        self.client.base_url = HOSTS[next(_hosts) % len(HOSTS)]
        self.token = None

    def arrive(self):
        """Wait for this person's turn: the n-th arrives n / ARRIVAL_RATE seconds after the first, so people come
        one after another at the rate, not ten at the same instant each second."""
        if not ARRIVAL_RATE:
            return
        number = next(_arrivals)
        if not _first_arrival:
            _first_arrival.append(time.monotonic())
        delay = _first_arrival[0] + number / ARRIVAL_RATE - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)

    def page(self, name, path, expect=200, **kwargs):
        """GET a page, counted as failed unless it answers `expect`; its text, and the CSRF token it carries."""
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False, **kwargs) as answer:
            if answer.status_code != expect:
                answer.failure(f"{path} answered {answer.status_code}")
                return ""
            found = CSRF.search(answer.text)
            if found:
                self.token = found.group(1) or found.group(2)
            return answer.text

    def send(self, name, path, form, expect, headers=None):
        """POST a form with the CSRF token, counted as failed unless it answers `expect`."""
        with self.client.post(path, data={"csrf_token": self.token, **form}, name=name, catch_response=True,
                              allow_redirects=False, headers=headers or {}) as answer:
            if answer.status_code != expect:
                answer.failure(f"{path} answered {answer.status_code}")
            return answer

    def log_in(self, who, email):
        self.page(f"{who}: login form", "/login")
        self.send(f"{who}: log in", "/login", {"email": email, "password": PLAN["password"]}, 302)


class StaffUser(Person):
    """The secretariat at work: the register, the meetings, check-in, the working groups, the contributions."""

    fixed_count = int(os.environ.get("LOAD_STAFF", 30))
    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        self.arrive()
        self.log_in("staff", PLAN["staff"][next(_staff) % len(PLAN["staff"])])

    @task(3)
    def company_list(self):
        self.page("staff: company list", "/companies/")

    @task(3)
    def search(self):
        self.page("staff: search", "/companies/", params={"q": random.choice(PLAN["searches"])})

    @task(3)
    def company_page(self):
        self.page("staff: company page", f"/companies/{random.choice(PLAN['company_ids'])}")

    @task(2)
    def meeting_list(self):
        self.page("staff: meeting list", "/meetings/")

    @task(2)
    def meeting_page(self):
        self.page("staff: meeting page", f"/meetings/{PLAN['meeting_id']}")

    @task(2)
    def check_in(self):
        meeting = PLAN["meeting_id"]
        contacts = CONTACT_FIELD.findall(self.page("staff: check-in page", f"/meetings/{meeting}/checkin"))
        if contacts:
            self.send("staff: check someone in", f"/meetings/{meeting}/attendance",
                      {"contact_id": random.choice(contacts), "status": "present"}, 200, {"HX-Request": "true"})

    @task(2)
    def groups(self):
        self.page("staff: group list", "/groups/")
        self.page("staff: group page", f"/groups/{random.choice(PLAN['group_slugs'])}")

    @task(1)
    def contributions(self):
        self.page("staff: contributions overview", "/contributions/")


class CompanyUser(Person):
    """A member company in the portal: its home, its company, its meetings, and an answer to an invitation."""

    fixed_count = int(os.environ.get("LOAD_COMPANY", 10))
    wait_time = between(2, 5)

    def on_start(self):
        super().on_start()
        self.arrive()
        self.log_in("company", PLAN["companies"][next(_companies) % len(PLAN["companies"])])
        self.invitations = []

    @task(3)
    def home(self):
        self.invitations = RSVP_FORM.findall(self.page("company: portal home", "/portal/")) or self.invitations

    @task(2)
    def our_company(self):
        self.page("company: our company", "/portal/company")

    @task(2)
    def meetings(self):
        self.page("company: meetings", "/portal/meetings")

    @task(2)
    def answer(self):
        if self.invitations:
            self.send("company: RSVP", f"/portal/invitations/{random.choice(self.invitations)}/rsvp",
                      {"rsvp": random.choice(("yes", "no", "maybe"))}, 302)


class RsvpClient(Person):
    """One of the burst's clients: opens an RSVP link from the invitation mail and presses the answer; the last
    client to find no link left ends the run."""

    wait_time = between(0, 0)

    @task
    def answer_a_link(self):
        global _in_flight
        if not _links:
            if _in_flight == 0:
                self.environment.runner.quit()
            raise StopUser()
        path, answer, _invitation = _links.pop()
        _in_flight += 1
        try:
            self.page("rsvp: answer page", f"{path}?svar={answer}")
            self.send("rsvp: answer", path, {"rsvp": answer}, 200)
        finally:
            _in_flight -= 1

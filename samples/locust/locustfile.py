"""A plain locustfile for the demo target (samples/target): nothing in it knows
about loadpilot. Two user classes with weights, an HttpUser browsing through a
TaskSet and a FastHttpUser buying, each with its own wait_time and on_start.

    locust -f samples/locust/locustfile.py --headless -u 10 --host http://127.0.0.1:18080
    loadpilot run samples/locust.yaml
"""

import random

from locust import HttpUser, TaskSet, between, task
from locust.contrib.fasthttp import FastHttpUser


class Browse(TaskSet):
    """Pages through the catalogue and opens items; leaves now and then."""

    @task(4)
    def page(self):
        self.client.get(f"/api/items?page={random.randint(1, 100)}", name="/api/items?page=N")

    @task(2)
    def item(self):
        self.client.get(f"/api/items/{random.randint(1, 1000)}", name="/api/items/ID")

    @task(1)
    def done(self):
        self.interrupt()


class Shopper(HttpUser):
    weight = 3
    wait_time = between(0.05, 0.15)
    tasks = {Browse: 3}

    def on_start(self):
        self.client.get("/health")

    @task(1)
    def search(self):
        self.client.get("/api/search", params={"q": random.choice(["lamp", "desk", "chair"])},
                        name="/api/search?q=WORD")


class Buyer(FastHttpUser):
    weight = 1
    wait_time = between(0.1, 0.3)

    def on_start(self):
        self.cart = [random.randint(1, 1000) for _ in range(3)]

    @task(3)
    def add_to_cart(self):
        self.client.post("/api/cart", json={"items": self.cart})

    @task(1)
    def checkout(self):
        with self.client.post("/api/checkout", json={}, catch_response=True) as r:
            if r.status_code == 200 and r.json().get("status") != "confirmed":
                r.failure("checkout not confirmed")

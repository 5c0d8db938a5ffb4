"""The overhead benchmark's locustfile: users that never wait, so one Locust
process runs flat out and any cost of loadpilot's shim (a listener on every
request, the batches it sends) shows in requests/s. The worst case for the shim."""

from locust import constant
from locust.contrib.fasthttp import FastHttpUser
from locust import task


class FlatOut(FastHttpUser):
    wait_time = constant(0)

    @task
    def health(self):
        self.client.get("/health")

"""The rq worker class of ``kehu worker``.

rq listens on a pub/sub channel per worker (for commands such as "stop the current job") in a thread
that polls every 60 seconds. With redis-py 8.2, stopping that thread waits for it to finish its poll,
and once the worker has unsubscribed the poll waits out its full 60 seconds: every ``kehu worker
--burst`` (batch runs, the integration tests) would sit for up to a minute after its last job.
:class:`KehuWorker` polls every second instead, so a worker stops within a second; commands still
arrive at once (the poll returns as soon as a message is there).
"""
from __future__ import annotations

from rq import Worker

PUBSUB_POLL_SECONDS = 1


class KehuWorker(Worker):
    def subscribe(self):
        """rq's own subscription, with a short poll (see the module doc)."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_POLL_SECONDS, daemon=True, exception_handler=self._pubsub_exception_handler)

"""``kehu worker`` stops promptly: rq's pub/sub listener polls every second (workers.rq_worker), so a
burst worker does not sit for a minute after its last job (redis-py 8.2 waits for the poll on stop)."""
import threading
import time

import pytest
from redis import Redis

from workers.rq_worker import PUBSUB_POLL_SECONDS, KehuWorker


@pytest.fixture
def redis_connection():
    connection = Redis.from_url("redis://127.0.0.1:6379/14")
    try:
        connection.ping()
    except Exception:  # noqa: BLE001
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    yield connection
    connection.flushdb()


def test_unsubscribing_ends_the_listener_within_its_short_poll(redis_connection):
    worker = KehuWorker(["default"], connection=redis_connection)
    worker.subscribe()
    assert worker.pubsub_thread.sleep_time == PUBSUB_POLL_SECONDS == 1
    done = threading.Event()

    def stop():
        # rq's teardown (Worker.unsubscribe), on a busy machine: the listener gets the unsubscribe reply
        # and goes back to waiting for a subscription before stop() joins it
        worker.pubsub.unsubscribe()
        time.sleep(0.5)
        worker.pubsub_thread.stop()
        done.set()

    threading.Thread(target=stop, daemon=True).start()
    assert done.wait(15), "the listener thread outlived its poll (a burst worker would hang for 60 s)"
    assert not worker.pubsub_thread.is_alive()

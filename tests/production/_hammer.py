"""A worker process for the shared-budget tests: call the coin list until a deadline, report JSON.

python -m tests.production._hammer BASE_URL STORAGE_URI NAMESPACE WINDOW_SECONDS DEADLINE_EPOCH
"""

from __future__ import annotations

import json
import sys
import time

from binance_margin import (
    BinanceClient,
    BinanceIPBannedError,
    BinanceRateLimitError,
    BinanceWaitRefused,
    HmacCredentials,
)

from tests._secrets import MOCK_HMAC


def main() -> None:
    base_url, storage_uri, namespace, window, deadline_text = sys.argv[1:6]
    deadline = float(deadline_text)
    counts = {"ok": 0, "429": 0, "418": 0, "refused": 0}
    with BinanceClient(
        HmacCredentials(MOCK_HMAC.api_key, MOCK_HMAC.secret or ""),
        base_url=base_url,
        storage_uri=storage_uri,
        budget_namespace=namespace,
        window_seconds=float(window),
    ) as client:
        while (left := deadline - time.time()) > 0:
            try:
                with client.call_options(max_wait=left):
                    client.coin_list()
                counts["ok"] += 1
            except BinanceRateLimitError:
                counts["429"] += 1
            except BinanceIPBannedError:
                counts["418"] += 1
            except BinanceWaitRefused:
                counts["refused"] += 1
                break
    print(json.dumps(counts))


if __name__ == "__main__":
    main()

"""The local gateway double (本地测试支付网关) — TEST ONLY, on when ZHDJ_PAYMENT_DOUBLE is set.

It speaks each gateway's protocol with the keys in ``test_keys/``: it verifies our signed
order requests, shows a cashier page, signs and sends asynchronous notifications the
way the real gateway does (with retries), and serves a daily bill file. It never moves
money; its keys are public.
"""

"""Service (DOMAIN.md section 5, SVC): work orders and their field work, fees, service contracts and
periods, recurring duties, reports. Work-order types and their rules come from plugins through hooks
(``kehu_work_order_types``, ``kehu_work_order_transition``); the core ships a generic set."""

"""Cases: what a resident files with the office and the office answers — fault reports and
letters today. This room holds what every kind of case shares; it starts with the staff queue
(filters, paging, assignee lists, the CSV export)."""

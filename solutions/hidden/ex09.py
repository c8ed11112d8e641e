"""Hidden tests of exercise 09 (customer value): run by ``cxkit grade`` only, never shipped.

See ``solutions/hidden/ex03.py`` for how hidden tests are written.

This exercise has no hidden test: every answer is a single number or a column the public check
compares whole, so no answer can pass the public check and still be wrong in a part it ignores.

Tasks without a hidden test, because the public check sees the whole answer:

- task1: ``margins`` is checked whole: every customer's margin, and no customer missing or extra.
- task2: ``ashford_retention`` is one share, checked (a percentage gets its own message).
- task3: ``clv_avg`` is one number, checked.
- task4: ``total_risk`` is one number, checked.
"""

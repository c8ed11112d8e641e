"""Hidden tests of exercise 05 (know your customers): run by ``cxkit grade`` only, never shipped.

See ``solutions/hidden/ex03.py`` for how hidden tests are written.

This exercise has no hidden test: every answer is a single value and the public check sees all of
it, so no answer can pass the public check and still be wrong in a part the check ignores.

Tasks without a hidden test, because the public check sees the whole answer:

- task1: ``gap_one`` is one number, checked (a flipped sign gets its own message).
- task2: ``n_real`` is one count, checked exactly, and ``width`` one number (a width at 95% instead
  of 99% fails it); the table ``gap99`` they come from is not one of the task's answers.
- task3: ``most_overrated`` is one name, checked.
- task4: ``worst_item`` is one name, checked.
"""

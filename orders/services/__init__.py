"""Writes about orders, by what they are about: `baskets` (the endless-aisle basket and its checkout), `placing`
(an order from any channel comes into being), `lifecycle` (an order moves along: ship, collect, cancel, return).

Views, the API, the admin, tasks and commands all call these; `errors` holds what they raise.
"""

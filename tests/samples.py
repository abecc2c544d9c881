"""Reply texts shared by the data-frame tests (pandas, polars, Dask, Spark).

A bit of everything a column of replies holds: a hard and a soft bounce, a null, text that is
not a reply, an empty string, greylisting, a success, a block-list refusal and words with no
code (classified from the words alone). Index 1 is the null.
"""

MIXED = [
    "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown",
    None,
    "452 4.2.2 Mailbox full",
    "garbage",
    "",
    "451 4.7.1 Greylisted, please try again in 5 minutes",
    "250 2.0.0 Ok: queued as 4F1AB",
    "554 5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org",
    "mailbox full",
]

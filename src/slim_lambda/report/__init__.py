"""The build report: its model, the limits check, and its text and HTML renderings.

``model``/``parts``/``meta`` declare the report and the dependency meta key by key;
``load`` reads any such JSON (old, partial, untrusted) into them; ``saved`` is the one
place reports are written to and read from disk. ``limits`` checks a report against
Lambda's limits; ``flow`` and ``layout`` feed ``text``; ``html`` assembles the page from
``html_parts``, ``html_tables``, ``html_treemap`` and ``static/``. ``finish`` completes a
build's report; ``analyse`` makes reports for bundles, zips and ``cdk.out``.
"""

"""The public transparency centre: what every member answered, principle by principle and
year by year, each member's public report as a page, and members side by side.

Only answers to questions marked public, from the accepted version of each report (the
report is accepted and its current version is the accepted one), of members the public may
see. `queries` reads plain rows with a fixed number of statements; `principles` and
`reports` turn them into the pages' values (with the annual report's pure figures,
`app.transparency.figures`, so the numbers agree); `views` is the edge.
"""

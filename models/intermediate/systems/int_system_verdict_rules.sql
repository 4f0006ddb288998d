-- How each system turns its indicators into a verdict for a park-year.
select system_code, rule, parameter, source from ({{ system_seeds('verdict') }})

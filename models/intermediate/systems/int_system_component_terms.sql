-- Derived components as sums of other components times a coefficient (emission factors...).
select system_code, component_code, term, cast(coefficient as double) as coefficient, source
from ({{ system_seeds('component_terms', empty="select null::varchar as system_code, null::varchar as component_code,
       null::varchar as term, null::double as coefficient, null::varchar as source where false") }})

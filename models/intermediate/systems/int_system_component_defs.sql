-- Where each component of each system is found: a form row (label), a statistics series (name,
-- converted into the component's unit), or derived from other components (component_terms).
select system_code, component_code, found_in, label, unit, source
from ({{ system_seeds('components') }})

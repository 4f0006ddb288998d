-- Every indicator of every indicator system (seeds/<system>/<system>__indicators.csv).
select
    system_code,
    indicator_code,
    cast(seq_no as integer) as seq_no,
    category,
    indicator_name,
    unit,
    role,                                              -- mandatory, optional, core, guidance
    judged_on,                                         -- formula (recomputed from components) or reported
    coalesce(cast(clean_production_star as boolean), false) as clean_production_star,
    source
from ({{ system_seeds('indicators') }})

-- Every indicator of every indicator system (seeds/<system>/<system>__indicators.csv), with the
-- columns a system may leave out: its group, its points, its weight in a composite index, its
-- direction and benchmark.
select
    system_code,
    indicator_code,
    cast(seq_no as integer) as seq_no,
    category,
    indicator_name,
    unit,
    role,                                              -- mandatory, optional, core, guidance, member (of a group), scored
    judged_on,                                         -- formula (recomputed from components) or reported
    coalesce(cast(clean_production_star as boolean), false) as clean_production_star,
    nullif(trim(group_code), '') as group_code,        -- the group it belongs to (seed <system>__groups)
    cast(points as double) as points,                  -- what it earns towards a score
    coalesce(nullif(trim(points_rule), ''), 'all_or_nothing') as points_rule,  -- or proportional (capped)
    cast(weight as double) as weight,                  -- its weight within its group in a composite index
    nullif(trim(direction), '') as direction,          -- higher or lower is better (default: from its threshold)
    cast(benchmark as double) as benchmark,            -- the reference of ratio_to_benchmark
    source
from ({{ system_seeds_with('indicators', {'group_code': 'varchar', 'points': 'double', 'points_rule': 'varchar',
                                          'weight': 'double', 'direction': 'varchar', 'benchmark': 'double'}) }})

-- Groups of indicators (seeds <system>__groups, where a system has them): a group passes when at
-- least min_pass of its members pass ("4项指标至少选择1项达标"); weight is the group's share of a
-- composite index.
select
    system_code, group_code, group_name,
    cast(min_pass as integer) as min_pass,
    cast(weight as double) as weight,
    source
from ({{ system_seeds_with('groups', {'system_code': 'varchar', 'group_code': 'varchar', 'group_name': 'varchar',
                                     'min_pass': 'integer', 'weight': 'double', 'source': 'varchar'},
                           empty="select null::varchar as system_code where false") }})

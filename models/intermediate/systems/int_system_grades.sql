-- Grade bands of a scoring system (seeds <system>__grades): a score at or above min_score earns the
-- grade (the highest band reached); passes says whether the grade is a pass.
select
    system_code, grade,
    cast(min_score as double) as min_score,
    coalesce(cast(passes as boolean), true) as passes,
    source
from ({{ system_seeds_with('grades', {'system_code': 'varchar', 'grade': 'varchar', 'min_score': 'double',
                                     'passes': 'boolean', 'source': 'varchar'},
                           empty="select null::varchar as system_code where false") }})

"""Tools by decorator: `@tool`, `Tool`, `Toolbox`, `ToolContext`, and the image helper.

```python
from typing import Literal

from agentkit.tools import tool

@tool
def get_weather(city: str, unit: Literal["c", "f"] = "c") -> str:
    \"\"\"Current weather for a city.

Args:
        city: City name, e.g. "Paris".
        unit: Temperature unit.
    \"\"\"
```
"""

from .._exceptions import ToolError as ToolError
from ._calls import ErrorFormatter as ErrorFormatter
from ._calls import ToolCall as ToolCall
from ._calls import ToolResult as ToolResult
from ._calls import default_error_formatter as default_error_formatter
from ._calls import redacting_formatter as redacting_formatter
from ._context import ToolContext as ToolContext
from ._options import BaseToolOptions as BaseToolOptions
from ._options import ToolOptions as ToolOptions
from ._results import DEFAULT_MAX_RESULT_CHARS as DEFAULT_MAX_RESULT_CHARS
from ._results import image as image
from ._tool import Tool as Tool
from ._tool import ToolDefinitionWarning as ToolDefinitionWarning
from ._tool import tool as tool
from ._toolbox import Toolbox as Toolbox

__all__ = [
    "BaseToolOptions",
    "DEFAULT_MAX_RESULT_CHARS",
    "ErrorFormatter",
    "Tool",
    "ToolCall",
    "ToolContext",
    "ToolDefinitionWarning",
    "ToolError",
    "ToolOptions",
    "ToolResult",
    "Toolbox",
    "default_error_formatter",
    "image",
    "redacting_formatter",
    "tool",
]

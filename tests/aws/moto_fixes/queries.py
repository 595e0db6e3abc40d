"""The query layer moto's CloudFormation does not model: the Glue database and table, the Athena
workgroup and named queries, the Logs Insights query definitions (and the Logs API for them,
which moto lacks). Each model creates, updates and deletes its resource in moto's own backend,
so the AWS CLI reads it back as AWS's would; Ref and GetAtt answer as CloudFormation documents.

Deleting: moto deletes a stack's resources in no particular order (it retries what fails while
the rest shrinks), where CloudFormation deletes dependents first. So a table may find its database
already gone with it, a named query its workgroup (RecursiveDeleteOption): a resource that is
already gone counts as deleted, as CloudFormation treats one."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from moto.athena import urls as athena_urls
from moto.athena.models import WorkGroup, athena_backends
from moto.athena.responses import AthenaResponse
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import JsonRESTError
from moto.glue.models import glue_backends
from moto.logs import models as logs_models
from moto.logs import responses as logs_responses
from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
from moto.moto_api._internal import mock_random
from moto.utilities.paginator import paginate

from .patching import Properties, original, replace


def _replace(cls: Any, old: Any, name: str, cloudformation_json: Any, account_id: str, region_name: str) -> Any:
    """A change of a create-only property: the new resource, then the old one deleted, as
    CloudFormation replaces (the old one goes in its cleanup)."""
    created = cls.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name)
    old.delete(account_id, region_name)
    return created


class _Model:
    """What the query layer's models share: a type, the property that names them, the attribute
    (if any) that is their physical ID, and the field that holds it. A mixin: moto maps only the
    direct subclasses of CloudFormationModel, so each model is one itself."""

    TYPE: str
    NAME_PROPERTY = "Name"  # "" where the name is nested (Glue's DatabaseInput.Name, TableInput.Name)
    ID_ATTRIBUTE: str | None = None  # GetAtt of the physical ID (NamedQueryId, QueryDefinitionId)
    KEY = "name"  # the field holding the physical ID (Ref)

    @classmethod
    def cloudformation_type(cls) -> str:  # type: ignore[override]
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:  # type: ignore[override]
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == cls.ID_ATTRIBUTE

    @property
    def physical_resource_id(self) -> str:
        return str(getattr(self, self.KEY))

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == self.ID_ATTRIBUTE:
            return self.physical_resource_id
        raise parsing.UnformattedGetAttTemplateException()


# --- Glue ---------------------------------------------------------------------------------------


class GlueDatabase(_Model, CloudFormationModel):
    """AWS::Glue::Database: Ref is the database's name; no attributes."""

    TYPE = "AWS::Glue::Database"
    NAME_PROPERTY = ""

    def __init__(self, account_id: str, region_name: str, name: str) -> None:
        self.account_id, self.region_name, self.name = account_id, region_name, name

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> GlueDatabase:
        database_input, name = _database_input(cloudformation_json["Properties"], resource_name)
        glue_backends[account_id][region_name].create_database(name, database_input)
        return cls(account_id, region_name, name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: GlueDatabase, new_resource_name: str, cloudformation_json: Any,
        account_id: str, region_name: str,
    ) -> GlueDatabase:  # fmt: skip
        database_input, name = _database_input(cloudformation_json["Properties"], new_resource_name)
        if name != original_resource.name:  # a new name is a new database
            return _replace(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        glue_backends[account_id][region_name].update_database(name, database_input)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        cls(account_id, region_name, resource_name).delete(account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        glue_backends[account_id][region_name].databases.pop(self.name, None)  # and its tables, as Glue does


def _database_input(properties: Properties, generated_name: str) -> tuple[dict[str, Any], str]:
    database_input = copy.deepcopy(properties["DatabaseInput"])
    database_input.setdefault("Name", generated_name.lower())
    if "CatalogId" in properties:
        database_input["CatalogId"] = properties["CatalogId"]  # as moto's CreateDatabase keeps it
    return database_input, database_input["Name"]


class GlueTable(_Model, CloudFormationModel):
    """AWS::Glue::Table: Ref is the table's name; no attributes."""

    TYPE = "AWS::Glue::Table"
    NAME_PROPERTY = ""

    def __init__(self, account_id: str, region_name: str, database_name: str, name: str) -> None:
        self.account_id, self.region_name = account_id, region_name
        self.database_name, self.name = database_name, name

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> GlueTable:
        properties = cloudformation_json["Properties"]
        database_name, table_input = properties["DatabaseName"], _table_input(properties, resource_name)
        glue_backends[account_id][region_name].create_table(
            database_name, table_input["Name"], table_input, properties.get("OpenTableFormatInput")
        )
        return cls(account_id, region_name, database_name, table_input["Name"])

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: GlueTable, new_resource_name: str, cloudformation_json: Any,
        account_id: str, region_name: str,
    ) -> GlueTable:  # fmt: skip
        properties = cloudformation_json["Properties"]
        database_name, table_input = properties["DatabaseName"], _table_input(properties, new_resource_name)
        if (database_name, table_input["Name"]) != (original_resource.database_name, original_resource.name):
            return _replace(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        glue_backends[account_id][region_name].update_table(database_name, table_input["Name"], table_input)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        database_name = cloudformation_json["Properties"]["DatabaseName"]
        cls(account_id, region_name, database_name, resource_name).delete(account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        database = glue_backends[account_id][region_name].databases.get(self.database_name)
        if database is not None:  # else deleted with its database
            database.tables.pop(self.name, None)


def _table_input(properties: Properties, generated_name: str) -> dict[str, Any]:
    table_input: dict[str, Any] = copy.deepcopy(properties["TableInput"])
    table_input.setdefault("Name", generated_name.lower())
    return table_input


# --- Athena ---------------------------------------------------------------------------------------


def athena_rest_json() -> None:
    """Defect: moto's Athena serves AWS's JSON 1.1 protocol alone (an X-Amz-Target POSTed to `/`),
    but botocore's Athena model (1.44, the AWS CLI's) is rest-json: `aws athena get-work-group`
    sends GET /workgroups/{WorkGroup}, `list-named-queries` GET /named-queries?WorkGroup=..., and
    every call is a 404. Route every other path of Athena's to moto's Athena too: it finds the
    operation and its URI parameters from botocore's model (moto.core.routing), reads a parameter
    from the query string, the body or the URI, and answers JSON, which rest-json reads alike."""
    athena_urls.url_paths["{0}/.*"] = AthenaResponse.dispatch  # moto's server: any path (`/` stays)


class AthenaInvalidRequest(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequestException", message)


def athena_not_found() -> None:
    """Defect: moto's Athena answers GetWorkGroup of a workgroup that does not exist with
    `{"WorkGroup": null}`, and GetNamedQuery of an unknown ID with a 500 (AttributeError on None),
    which the AWS CLI retries; Athena answers InvalidRequestException to both."""
    get_work_group_original = original(AthenaResponse, "get_work_group")
    get_named_query_original = original(AthenaResponse, "get_named_query")

    def get_work_group(self: Any) -> Any:
        name = self._get_param("WorkGroup")
        if name not in self.athena_backend.work_groups:
            raise AthenaInvalidRequest(f"WorkGroup {name} is not found.")
        return get_work_group_original(self)

    def get_named_query(self: Any) -> Any:
        query_id = self._get_param("NamedQueryId")
        if self.athena_backend.get_named_query(query_id) is None:
            raise AthenaInvalidRequest(f"NamedQuery {query_id} is not found.")
        return get_named_query_original(self)

    replace(AthenaResponse, "get_work_group", get_work_group)
    replace(AthenaResponse, "get_named_query", get_named_query)


class AthenaWorkGroup(_Model, CloudFormationModel):
    """AWS::Athena::WorkGroup: Ref is its name; GetAtt CreationTime and
    WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion."""

    TYPE = "AWS::Athena::WorkGroup"

    ATTRIBUTES = ("CreationTime", "WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion")

    def __init__(self, account_id: str, region_name: str, name: str, recursive_delete: bool) -> None:
        self.account_id, self.region_name, self.name = account_id, region_name, name
        self.recursive_delete = recursive_delete
        self.creation_time = int(time.time())

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "CreationTime":
            return str(self.creation_time)
        if attribute_name == self.ATTRIBUTES[1]:
            work_group = athena_backends[self.account_id][self.region_name].work_groups[self.name]
            return work_group.configuration["EngineVersion"]["EffectiveEngineVersion"]
        raise parsing.UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> AthenaWorkGroup:
        properties = cloudformation_json["Properties"]
        backend = athena_backends[account_id][region_name]
        name = properties.get("Name", resource_name)
        work_group = backend.create_work_group(
            name, _configuration(properties), properties.get("Description", ""), properties.get("Tags", [])
        )
        if work_group is None:
            raise AthenaInvalidRequest(f"WorkGroup {name} is already created")
        work_group.state = properties.get("State", "ENABLED")
        return cls(account_id, region_name, name, properties.get("RecursiveDeleteOption", False))

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: AthenaWorkGroup, new_resource_name: str, cloudformation_json: Any,
        account_id: str, region_name: str,
    ) -> AthenaWorkGroup:  # fmt: skip
        properties = cloudformation_json["Properties"]
        if properties.get("Name", new_resource_name) != original_resource.name:  # Name: replacement
            return _replace(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        backend = athena_backends[account_id][region_name]
        work_group = backend.work_groups[original_resource.name]
        description, tags = properties.get("Description", ""), properties.get("Tags", [])
        # moto's WorkGroup fills in the defaults of an absent setting, as Athena does
        updated = WorkGroup(backend, work_group.name, _configuration(properties), description, tags)
        work_group.configuration, work_group.description = updated.configuration, description
        work_group.state = properties.get("State", "ENABLED")
        work_group.tags = tags
        backend.tagger.delete_all_tags_for_resource(work_group.arn)
        backend.tagger.tag_resource(work_group.arn, tags)
        original_resource.recursive_delete = properties.get("RecursiveDeleteOption", False)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        recursive = cloudformation_json["Properties"].get("RecursiveDeleteOption", False)
        cls(account_id, region_name, resource_name, recursive).delete(account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = athena_backends[account_id][region_name]
        work_group = backend.work_groups.get(self.name)
        if work_group is None:
            return
        queries = [query.id for query in backend.named_queries.values() if query.workgroup is work_group]
        if queries and not self.recursive_delete:  # as DeleteWorkGroup refuses
            raise AthenaInvalidRequest(f"WorkGroup {self.name} is not empty (RecursiveDeleteOption is false)")
        for query_id in queries:
            del backend.named_queries[query_id]
        backend.delete_work_group(self.name)
        backend.tagger.delete_all_tags_for_resource(work_group.arn)


def _configuration(properties: Properties) -> dict[str, Any]:
    """The workgroup's Configuration as GetWorkGroup answers it: CloudFormation's
    WorkGroupConfiguration, with the EffectiveEngineVersion Athena chooses."""
    configuration: dict[str, Any] = copy.deepcopy(properties.get("WorkGroupConfiguration", {}))
    engine = configuration.get("EngineVersion")
    if engine is not None and "EffectiveEngineVersion" not in engine:
        selected = engine.get("SelectedEngineVersion", "AUTO")
        engine["EffectiveEngineVersion"] = "Athena engine version 3" if selected == "AUTO" else selected
    return configuration


class AthenaNamedQuery(_Model, CloudFormationModel):
    """AWS::Athena::NamedQuery: Ref and GetAtt NamedQueryId are its ID. A change replaces it
    (Athena cannot move a named query to another database or workgroup; moto cannot update one)."""

    TYPE = "AWS::Athena::NamedQuery"
    ID_ATTRIBUTE = "NamedQueryId"
    KEY = "id"

    def __init__(self, account_id: str, region_name: str, query_id: str) -> None:
        self.account_id, self.region_name, self.id = account_id, region_name, query_id

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> AthenaNamedQuery:
        properties = cloudformation_json["Properties"]
        backend = athena_backends[account_id][region_name]
        work_group = properties.get("WorkGroup", "primary")
        if work_group not in backend.work_groups:
            raise AthenaInvalidRequest(f"WorkGroup {work_group} is not found")
        query_id = backend.create_named_query(
            properties.get("Name", resource_name),
            properties.get("Description", ""),
            properties["Database"],
            properties["QueryString"],
            work_group,
        )
        return cls(account_id, region_name, query_id)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: AthenaNamedQuery, new_resource_name: str, cloudformation_json: Any,
        account_id: str, region_name: str,
    ) -> AthenaNamedQuery:  # fmt: skip
        return _replace(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        cls(account_id, region_name, resource_name).delete(account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        # moto's Athena has no DeleteNamedQuery; gone already with a recursively deleted workgroup
        athena_backends[account_id][region_name].named_queries.pop(self.id, None)


# --- CloudWatch Logs: query definitions ---------------------------------------------------------


class QueryDefinition(_Model, CloudFormationModel):
    """A Logs Insights query definition, and AWS::Logs::QueryDefinition: Ref and GetAtt
    QueryDefinitionId are its ID; a change updates it in place (PutQueryDefinition with its ID)."""

    TYPE = "AWS::Logs::QueryDefinition"
    ID_ATTRIBUTE = "QueryDefinitionId"
    KEY = "id"

    def __init__(self, name: str, query_string: str, log_group_names: list[str], query_language: str) -> None:
        self.id = str(mock_random.uuid4())
        self.set(name, query_string, log_group_names, query_language)

    def set(self, name: str, query_string: str, log_group_names: list[str], query_language: str) -> None:
        self.name, self.query_string = name, query_string
        self.log_group_names, self.query_language = list(log_group_names), query_language
        self.last_modified = int(time.time() * 1000)

    def to_dict(self) -> dict[str, Any]:
        described = {
            "queryLanguage": self.query_language,
            "queryDefinitionId": self.id,
            "name": self.name,
            "queryString": self.query_string,
            "lastModified": self.last_modified,
        }
        return {**described, "logGroupNames": self.log_group_names} if self.log_group_names else described

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> QueryDefinition:
        return _put_query_definition(cloudformation_json["Properties"], resource_name, account_id, region_name, None)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: QueryDefinition, new_resource_name: str, cloudformation_json: Any,
        account_id: str, region_name: str,
    ) -> QueryDefinition:  # fmt: skip
        properties = cloudformation_json["Properties"]
        return _put_query_definition(properties, new_resource_name, account_id, region_name, original_resource.id)

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        _logs_backend(account_id, region_name).query_definitions.pop(resource_name, None)

    def delete(self, account_id: str, region_name: str) -> None:
        _logs_backend(account_id, region_name).query_definitions.pop(self.id, None)

    def is_created(self) -> bool:
        return True


def _logs_backend(account_id: str, region_name: str) -> Any:
    """moto's Logs backend, with the query definitions logs_query_definitions gives it."""
    return logs_models.logs_backends[account_id][region_name]


def _put_query_definition(
    properties: Properties, name: str, account_id: str, region_name: str, query_definition_id: str | None
) -> QueryDefinition:
    definition: QueryDefinition = _logs_backend(account_id, region_name).put_query_definition(
        name=properties.get("Name", name),
        query_string=properties["QueryString"],
        log_group_names=properties.get("LogGroupNames", []),
        query_definition_id=query_definition_id,
        query_language=properties.get("QueryLanguage", "CWLI"),
    )
    return definition


_PAGINATION = {
    "describe_query_definitions": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 1000,
        "unique_attribute": "id",
    }
}


def logs_query_definitions() -> None:
    """Defect: moto's CloudWatch Logs has no query definitions: PutQueryDefinition,
    DescribeQueryDefinitions and DeleteQueryDefinition answer "not implemented". Keep them in
    the Logs backend and answer the three actions as CloudWatch Logs does."""
    init_original = original(logs_models.LogsBackend, "__init__")

    def __init__(self: Any, region_name: str, account_id: str) -> None:
        init_original(self, region_name, account_id)
        self.query_definitions = {}

    def put_query_definition(
        self: Any,
        name: str,
        query_string: str,
        log_group_names: list[str] | None = None,
        query_definition_id: str | None = None,
        query_language: str | None = None,
    ) -> QueryDefinition:
        for parameter, value, longest in (("name", name, 255), ("queryString", query_string, 10000)):
            if not value or len(value) > longest:
                raise InvalidParameterException(
                    constraint=f"Member must have length between 1 and {longest}", parameter=parameter, value=value
                )
        language = query_language or "CWLI"
        if query_definition_id is None:
            definition = QueryDefinition(name, query_string, log_group_names or [], language)
            self.query_definitions[definition.id] = definition
            return definition
        if query_definition_id not in self.query_definitions:
            raise ResourceNotFoundException(f"Query definition {query_definition_id} does not exist.")
        definition = self.query_definitions[query_definition_id]
        definition.set(name, query_string, log_group_names or [], language)
        return definition

    @paginate(pagination_model=_PAGINATION)
    def describe_query_definitions(
        self: Any, query_definition_name_prefix: str | None = None, query_language: str | None = None
    ) -> list[QueryDefinition]:
        return [
            definition
            for definition in self.query_definitions.values()
            if definition.name.startswith(query_definition_name_prefix or "")
            and (query_language is None or definition.query_language == query_language)
        ]

    def delete_query_definition(self: Any, query_definition_id: str) -> bool:
        if self.query_definitions.pop(query_definition_id, None) is None:
            raise ResourceNotFoundException(f"Query definition {query_definition_id} does not exist.")
        return True

    def respond_put(self: Any) -> str:
        definition = self.logs_backend.put_query_definition(
            name=self._get_param("name"),
            query_string=self._get_param("queryString"),
            log_group_names=self._get_param("logGroupNames"),
            query_definition_id=self._get_param("queryDefinitionId"),
            query_language=self._get_param("queryLanguage"),
        )
        return json.dumps({"queryDefinitionId": definition.id})

    def respond_describe(self: Any) -> str:
        max_results = self._get_param("maxResults")
        if max_results is not None and not 1 <= max_results <= 1000:
            raise InvalidParameterException(
                constraint="Member must have value between 1 and 1000", parameter="maxResults", value=max_results
            )
        definitions, next_token = self.logs_backend.describe_query_definitions(
            query_definition_name_prefix=self._get_param("queryDefinitionNamePrefix"),
            query_language=self._get_param("queryLanguage"),
            max_results=max_results,
            next_token=self._get_param("nextToken"),
        )
        described: dict[str, Any] = {"queryDefinitions": [definition.to_dict() for definition in definitions]}
        if next_token:
            described["nextToken"] = next_token
        return json.dumps(described)

    def respond_delete(self: Any) -> str:
        success = self.logs_backend.delete_query_definition(self._get_param("queryDefinitionId"))
        return json.dumps({"success": success})

    backend = logs_models.LogsBackend
    replace(backend, "__init__", __init__)
    for method in (put_query_definition, describe_query_definitions, delete_query_definition):
        replace(backend, method.__name__, method)
    for action, respond in (
        ("put_query_definition", respond_put),
        ("describe_query_definitions", respond_describe),
        ("delete_query_definition", respond_delete),
    ):
        replace(logs_responses.LogsResponse, action, respond)  # moto dispatches an action by this name


MODELS: tuple[type[CloudFormationModel], ...] = (
    GlueDatabase,
    GlueTable,
    AthenaWorkGroup,
    AthenaNamedQuery,
    QueryDefinition,
)


def query_layer_resources() -> None:
    """Defect: moto's CloudFormation has no model of AWS::Glue::Database, AWS::Glue::Table,
    AWS::Athena::WorkGroup, AWS::Athena::NamedQuery or AWS::Logs::QueryDefinition (though it has
    Glue and Athena backends): it skips them and reports the stack complete. moto's map of types
    to models is CloudFormationModel's direct subclasses, taken once, on first use: the models
    above are among them; clear the map so that it is taken anew, and check that moto has no
    model of these types of its own (a newer moto's would make this fix one to drop)."""
    ours = {model.cloudformation_type(): model for model in MODELS}
    theirs = [
        model
        for model in CloudFormationModel.__subclasses__()
        if model.cloudformation_type() in ours and model is not ours[model.cloudformation_type()]
    ]
    if theirs:
        raise RuntimeError(f"moto now models {sorted(m.cloudformation_type() for m in theirs)}: drop this fix")
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    assert all(parsing.get_model_map()[type_] is model for type_, model in ours.items())


FIXES = (athena_rest_json, athena_not_found, logs_query_definitions, query_layer_resources)

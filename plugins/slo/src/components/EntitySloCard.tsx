import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Typography from '@material-ui/core/Typography';
import { SLO_OBJECTIVES_ANNOTATION } from '@internal/plugin-slo-common';
import { useEntityObjectives } from '../hooks/useEntityObjectives';
import { useObjectiveLink } from '../hooks/useObjectiveLink';
import { burnOf, formatBurn } from '../lib/format';
import { BudgetBar } from './common/BudgetBar';
import { StateChip } from './common/StateChip';
import { FiringActions } from './entity/FiringActions';

/** An overview card: per objective of the entity, budget left, 1h burn and alert state. */
export function EntitySloCard() {
  const { value, loading, error, entity, entityRef } = useEntityObjectives();
  const linkTo = useObjectiveLink();

  let body;
  if (error) {
    body = (
      <ResponseErrorPanel error={error} title="Could not load the objectives" />
    );
  } else if (loading || !value) {
    body = <Progress />;
  } else if (value.items.length === 0) {
    body = (
      <Typography variant="body2">
        No objectives for this entity: add the {SLO_OBJECTIVES_ANNOTATION}{' '}
        annotation with the path of its OpenSLO file.
      </Typography>
    );
  } else {
    const firing = value.items.some(objective => objective.state === 'firing');
    body = (
      <>
        <List dense disablePadding>
          {value.items.map(objective => {
            const title = objective.displayName || objective.name;
            const link = linkTo?.(objective.id);
            return (
              <ListItem key={objective.id} disableGutters divider>
                <Box flex={1} mr={2}>
                  <Typography variant="body2">
                    {link ? <Link to={link}>{title}</Link> : title}
                  </Typography>
                  <Typography variant="caption" color="textSecondary">
                    burn 1h: {formatBurn(burnOf(objective.status, '1h'))}
                  </Typography>
                </Box>
                <Box width={140} mr={2}>
                  <BudgetBar remaining={objective.status?.budgetRemaining} />
                </Box>
                <StateChip state={objective.state} />
              </ListItem>
            );
          })}
        </List>
        {firing && <FiringActions entity={entity} entityRef={entityRef} />}
      </>
    );
  }
  return <InfoCard title="Service level objectives">{body}</InfoCard>;
}
